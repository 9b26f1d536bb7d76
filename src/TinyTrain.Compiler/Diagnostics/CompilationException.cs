namespace TinyTrain.Compiler;

/// <summary>A model or request the compiler cannot handle, worded for the user (one line).</summary>
public sealed class CompilationException(string message) : UserException(ErrorCode.Compilation, message);
