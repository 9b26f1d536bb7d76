namespace TinyTrain.Formats.Tflite;

/// <summary>
/// A .tflite file is malformed (truncated, corrupted, not a TFLite flatbuffer, or internally inconsistent).
/// The message is one line: "&lt;file&gt;: &lt;table/field path&gt;: &lt;problem&gt;".
/// </summary>
public sealed class TfliteFormatException : ModelFormatException
{
    public TfliteFormatException(string message) : base(message) { }

    public TfliteFormatException(string message, Exception inner) : base(message, inner) { }
}
