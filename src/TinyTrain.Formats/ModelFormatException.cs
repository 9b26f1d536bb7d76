namespace TinyTrain.Formats;

/// <summary>
/// A model file we cannot import: corrupt, inconsistent or using something unsupported. The message is one
/// line and names the file. The format-specific readers' exceptions derive from it.
/// </summary>
public class ModelFormatException(string message, Exception? inner = null, ErrorCode code = ErrorCode.Model) : UserException(code, message, inner);
