namespace TinyTrain.Formats;

/// <summary>A graph that cannot be written in the requested format (an fp32 tensor, an op the format lacks). One line.</summary>
public sealed class ExportException(string message) : ModelFormatException(message, null, ErrorCode.Export);
