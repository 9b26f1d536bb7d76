using System.Text;

namespace TinyTrain.Tests.Formats.Export;

/// <summary>
/// Reads back the names an exported ONNX model wires together (a test-side protobuf walk, independent of the writer):
/// the graph's initializers and every node input. Field numbers from onnx.proto: ModelProto.graph 7; GraphProto.node 1,
/// initializer 5; NodeProto.input 1; TensorProto.name 8.
/// </summary>
public static class OnnxProtoReader
{
    public sealed record Names(IReadOnlyList<string> Initializers, IReadOnlySet<string> NodeInputs);

    public static Names Read(byte[] model)
    {
        var graph = Fields(model).Single(f => f.Number == 7).Bytes!;
        var initializers = new List<string>();
        var nodeInputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (number, bytes) in Fields(graph))
        {
            if (number == 5) initializers.Add(Text(Fields(bytes!).Single(f => f.Number == 8).Bytes!));
            if (number == 1) foreach (var input in Fields(bytes!).Where(f => f.Number == 1)) nodeInputs.Add(Text(input.Bytes!));
        }
        return new Names(initializers, nodeInputs);
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The fields of one message: number and, for length-delimited fields, the payload (null for scalars).</summary>
    private static List<(int Number, byte[]? Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[]?)>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var (number, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0: Varint(message, ref at); fields.Add((number, null)); break;
                case 1: at += 8; fields.Add((number, null)); break;
                case 5: at += 4; fields.Add((number, null)); break;
                case 2:
                    var length = checked((int)Varint(message, ref at));
                    fields.Add((number, message[at..(at + length)]));
                    at += length;
                    break;
                default: throw new InvalidDataException($"wire type {wire} at byte {at}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
