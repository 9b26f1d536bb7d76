namespace TinyTrain.Data;

/// <summary>A data file is unreadable: unknown format, truncated or corrupt. Message is one line: "file: reason".</summary>
public sealed class DataFormatException : UserException
{
    public string FileName { get; }
    public string Reason { get; }

    public DataFormatException(string fileName, string reason, Exception? inner = null)
        : base(ErrorCode.Data, $"{fileName}: {reason}", inner)
    {
        FileName = fileName;
        Reason = reason;
    }
}
