using TinyTrain.Ir;

namespace TinyTrain.Formats.Tflite;

public sealed partial class TfliteImporter
{
    /// <summary>
    /// Operators that compute int32 shape vectors (a Keras Flatten exported as SHAPE + STRIDED_SLICE + PACK feeding a
    /// RESHAPE): evaluated here, at import, into constants, so no node or kernel exists for them. Their results are
    /// checked where they are used (a RESHAPE's target must be the shape the file gives its output).
    /// </summary>
    private static readonly (TfliteBuiltinOperator Code, Func<TfliteImporter, TfliteOperator, int, int[]> Fold)[] Folders =
    [
        (TfliteBuiltinOperator.SHAPE, (i, op, index) => i.FoldShape(op, index)),
        (TfliteBuiltinOperator.STRIDED_SLICE, (i, op, index) => i.FoldStridedSlice(op, index)),
        (TfliteBuiltinOperator.PACK, (i, op, index) => i.FoldPack(op, index)),
    ];

    /// <summary>Values of the int32 tensors folded so far, by tensor index.</summary>
    private readonly Dictionary<int, int[]> folded = [];

    /// <summary>Folds the operator if it is a shape computation; false when it computes activations.</summary>
    private bool TryFold(TfliteOperator op, int index)
    {
        var fold = Folders.FirstOrDefault(f => f.Code == Opcode(op)).Fold;
        if (fold is null) return false;
        var values = fold(this, op, index);
        var output = Tensor(op.Outputs[0]);
        if (output.Type != TfliteTensorType.INT32 || new Shape(output.Shape).Elements != values.Length)
            throw Error($"operator #{index} ({TfliteBuiltinOperatorNames.Name(Opcode(op))}): '{output.Name}' should be {values.Length} int32 values");
        folded[op.Outputs[0]] = values;
        return true;
    }

    private int[] FoldShape(TfliteOperator op, int index)
    {
        if (op.Inputs.Length != 1) throw Error($"operator #{index} (SHAPE) has {op.Inputs.Length} inputs");
        return nodes.TryGetValue(op.Inputs[0], out var x) ? [.. Enumerable.Range(0, x.Shape.Rank).Select(a => x.Shape[a])] : [.. Tensor(op.Inputs[0]).Shape];
    }

    /// <summary>TFLite's StridedSlice on a 1-D int32 vector (the only rank shape arithmetic needs).</summary>
    private int[] FoldStridedSlice(TfliteOperator op, int index)
    {
        var name = $"operator #{index} (STRIDED_SLICE)";
        if (op.Inputs.Length != 4) throw Error($"{name} has {op.Inputs.Length} inputs");
        var o = Options<TfliteStridedSliceOptions>(op, index);
        if (o.EllipsisMask != 0 || o.NewAxisMask != 0 || o.Offset) throw Error($"{name}: ellipsis, new-axis and offset slicing are not supported");
        var x = FoldedInts(op.Inputs[0], name);
        var (begins, ends, strides) = (FoldedInts(op.Inputs[1], name), FoldedInts(op.Inputs[2], name), FoldedInts(op.Inputs[3], name));
        if (begins.Length != 1 || ends.Length != 1 || strides.Length != 1) throw Error($"{name}: only 1-D shape vectors can be sliced");
        var stride = strides[0];
        if (stride == 0) throw Error($"{name}: stride 0");
        var length = x.Length;
        int Clamp(int i, bool isEnd) => stride > 0 ? Math.Clamp(i < 0 ? i + length : i, 0, length) : Math.Clamp(i < 0 ? i + length : i, -1, length - 1);
        var begin = (o.BeginMask & 1) != 0 ? (stride > 0 ? 0 : length - 1) : Clamp(begins[0], false);
        var end = (o.EndMask & 1) != 0 ? (stride > 0 ? length : -1) : Clamp(ends[0], true);
        if ((o.ShrinkAxisMask & 1) != 0)
        {
            var at = begins[0] < 0 ? begins[0] + length : begins[0];
            if (at < 0 || at >= length) throw Error($"{name}: index {begins[0]} is outside a vector of {length}");
            return [x[at]];
        }
        var result = new List<int>();
        for (var i = begin; stride > 0 ? i < end : i > end; i += stride) result.Add(x[i]);
        return [.. result];
    }

    private int[] FoldPack(TfliteOperator op, int index)
    {
        var o = Options<TflitePackOptions>(op, index);
        var name = $"operator #{index} (PACK)";
        var values = op.Inputs.Select(i => FoldedInts(i, name)).ToList();
        if (o.Axis != 0 || values.Any(v => v.Length != 1)) throw Error($"{name}: only scalars packed along axis 0 are supported");
        return [.. values.Select(v => v[0])];
    }

    /// <summary>A folded tensor's values, or a constant's.</summary>
    private int[] FoldedInts(int index, string op) => folded.TryGetValue(index, out var values) ? values : ConstantInts(index, op);

    /// <summary>
    /// A RESHAPE's target from its shape operand (new_shape in the options otherwise): one -1 takes what is left. It must
    /// be the shape the file gives the output, which is what the graph uses.
    /// </summary>
    private void CheckReshapeTarget(TfliteOperator op, Node x, Shape output, string name)
    {
        int[]? target = op.Inputs.Length > 1 && op.Inputs[1] >= 0 ? FoldedInts(op.Inputs[1], name)
            : (op.Options as TfliteReshapeOptions)?.NewShape;
        if (target is null) return;
        var known = target.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
        var resolved = target.Select(d => d == -1 && known > 0 ? (int)(x.Shape.Elements / known) : d).ToArray();
        if (target.Count(d => d == -1) > 1 || target.Any(d => d < -1) || !resolved.SequenceEqual(Enumerable.Range(0, output.Rank).Select(a => output[a])))
            throw Error($"{name}: RESHAPE to [{string.Join(",", target)}] does not give the file's output shape {output}");
    }
}
