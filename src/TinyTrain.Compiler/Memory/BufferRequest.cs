namespace TinyTrain.Compiler.Memory;

/// <summary>A buffer to place: its size and the first and last step (inclusive) at which it is live.</summary>
public readonly record struct BufferRequest(int Id, int Bytes, int FirstUse, int LastUse)
{
    public bool LivesWith(BufferRequest other) => FirstUse <= other.LastUse && other.FirstUse <= LastUse;
}
