namespace TinyTrain.Ir;

/// <summary>A graph that breaks the IR's rules: an import produced something inconsistent.</summary>
public sealed class IrException(string message) : Exception(message);
