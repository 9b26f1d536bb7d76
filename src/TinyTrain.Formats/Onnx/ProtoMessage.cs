using Google.Protobuf;

namespace TinyTrain.Formats.Onnx;

/// <summary>
/// One protobuf message being written field by field with Google.Protobuf's <see cref="CodedOutputStream"/>: the few
/// ONNX messages we emit are small enough that nesting by value (a submessage is encoded, then written as bytes)
/// costs nothing worth a generated class hierarchy.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream buffer = new();
    private readonly CodedOutputStream output;

    public ProtoMessage() => output = new CodedOutputStream(buffer, leaveOpen: true);

    public ProtoMessage Int64(int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage message) => Bytes(field, message.ToArray());

    public byte[] ToArray()
    {
        output.Flush();
        return buffer.ToArray();
    }
}
