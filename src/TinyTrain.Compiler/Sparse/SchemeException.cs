namespace TinyTrain.Compiler.Sparse;

/// <summary>A sparse-update scheme the user asked for that cannot be built; the message is one line, for the user.</summary>
public sealed class SchemeException(string message) : UserException(ErrorCode.Scheme, message);
