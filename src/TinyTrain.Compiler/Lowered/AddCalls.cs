using TinyTrain.Compiler.Lowering;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

public sealed record AddCall(string Name, AddParams Params, int A, int B, int Output, int Mask = -1) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) h.Kernels.AddForwardWithMask(Params, h.SBytes(A), h.SBytes(B), h.WritableSBytes(Output), h.WritableBytes(Mask));
        else h.Kernels.AddForward(Params, h.SBytes(A), h.SBytes(B), h.WritableSBytes(Output));
    }

    public override string C(ICallEmitter c) =>
        $"tt_add_forward{WithMask(Mask)}({c.Params(Params)}, {c.Tensor(A)}, {c.Tensor(B)}, {c.Tensor(Output)}{MaskArg(c, Mask)});";
}

public sealed record FloatAddCall(string Name, int A, int B, int Output, float Min, float Max, int Mask) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [A, B];
    public override IEnumerable<int> Writes => Mask < 0 ? [Output] : [Output, Mask];

    public override void Run(IKernelHost h)
    {
        if (Mask >= 0) Add.ForwardFloatWithMask(h.Floats(A), h.Floats(B), h.WritableFloats(Output), Min, Max, h.WritableBytes(Mask));
        else Add.ForwardFloat(h.Floats(A), h.Floats(B), h.WritableFloats(Output), Min, Max);
    }

    public override string C(ICallEmitter c) =>
        $"tt_add_forward_float{WithMask(Mask)}({c.Tensor(A)}, {c.Tensor(B)}, {c.Tensor(Output)}, {c.FloatCount(Output)}, {CLiterals.Float(Min)}, {CLiterals.Float(Max)}{MaskArg(c, Mask)});";
}

/// <summary>How Add becomes a call, and its kernel parameters.</summary>
internal static class AddLowering
{
    public static AddParams Params(Node node)
    {
        var a = node.AttrsAs<AddAttrs>();
        var (qa, qb, qy) = (node.Input(0).Quant!, node.Input(1).Quant!, node.Quant!);
        var length = (int)node.Shape.Elements;
        return a.Requant == RequantKind.Float
            ? Add.CreateFloat(length, qa.Scale, qa.ZeroPoint, qb.Scale, qb.ZeroPoint, qy.Scale, qy.ZeroPoint, a.Clamp.Min, a.Clamp.Max)
            : Add.CreateFixedPoint(length, (float)qa.Scale, qa.ZeroPoint, (float)qb.Scale, qb.ZeroPoint, (float)qy.Scale, qy.ZeroPoint, a.Clamp.Min, a.Clamp.Max);
    }

    [Lowers(nameof(Ops.Add))]
    private static void LowerForward(ProgramLowering l, Node n)
    {
        if (n.Type.DType == DType.Float32)
        {
            var (min, max) = ClampRange.Real(n.AttrsAs<AddAttrs>().Clamp, n.Quant);
            l.Add(new FloatAddCall(n.Name, l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n), min, max, l.MaskOf(n)));
        }
        else
        {
            l.Add(new AddCall(n.Name, Params(n), l.Operand(n, 0), l.Operand(n, 1), l.NewTensor(n), l.MaskOf(n)));
        }
    }
}
