using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Kernels;

namespace TinyTrain.Runtime;

/// <summary>
/// Runs a lowered <see cref="Program"/> on the host inside one byte arena of exactly the planned size:
/// every activation lives at its planned offset, so the plan is the real memory, not an estimate.
/// Not thread-safe: use one executor per thread (see <see cref="BatchRunner"/>).
/// </summary>
public sealed partial class Executor
{
    private readonly byte[] arena;
    private readonly KernelVariant variant;

    // Per call: its constant filter packed once for Conv2D/DepthwiseConv2D.ForwardPacked (null: the call runs unpacked).
    private readonly object?[] packedFilters;

    public Executor(Program program, KernelVariant variant = KernelVariant.Auto)
    {
        Program = program;
        this.variant = variant;
        arena = new byte[program.ArenaBytes];
        packedFilters = variant == KernelVariant.Reference ? new object?[program.Calls.Length] : PackFilters(program);
        ResetState();
    }

    // Packed filters are immutable, so every executor of a program (a batch runner has one per thread) shares one set.
    private static readonly ConditionalWeakTable<Program, object?[]> PackedByProgram = new();

    /// <summary>
    /// Packs the filter of every conv and depthwise conv that reads a constant one and keeps no clamp mask; trained
    /// filters change every step and stay unpacked.
    /// </summary>
    private static object?[] PackFilters(Program program) => PackedByProgram.GetValue(program, Pack);

    private static object?[] Pack(Program program)
    {
        var packed = new object?[program.Calls.Length];
        for (var i = 0; i < packed.Length; i++)
        {
            packed[i] = program.Calls[i] switch
            {
                Conv2DCall { Mask: < 0 } c when Constant(program, c.Filter) is { } filter => Conv2D.Pack(c.Params, filter),
                DepthwiseConv2DCall { Mask: < 0 } c when Constant(program, c.Filter) is { } filter => DepthwiseConv2D.Pack(c.Params, filter),
                ConvDepthwiseCall c when Constant(program, c.ConvFilter) is { } filter => ConvDepthwise.Pack(c.Conv, c.Depthwise, filter),
                _ => null,
            };
        }
        return packed;
    }

    private static sbyte[]? Constant(Program program, int id) =>
        program.Tensors[id] is { Placement: TensorPlacement.Constant, Data: { } data } ? MemoryMarshal.Cast<byte, sbyte>(data.Bytes).ToArray() : null;

    /// <summary>Puts every persistent tensor (trained parameters, optimiser state) back to its initial value.</summary>
    public void ResetState()
    {
        foreach (var t in Program.Tensors)
        {
            if (t.Placement == TensorPlacement.Persistent) t.Data!.Bytes.CopyTo(arena.AsSpan(t.Offset, t.Bytes));
        }
    }

    public Program Program { get; }

    public Span<sbyte> Input => SByteSpan(Program.Input.Id);
    public ReadOnlySpan<sbyte> Output => SByteSpan(Program.Output.Id);

    /// <summary>Copies the input in, runs every call, copies the output out.</summary>
    public void Run(ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        if (input.Length != Program.Input.Bytes)
            throw new ArgumentException($"input has {input.Length} bytes, {Program.Input.Name} needs {Program.Input.Bytes}");
        input.CopyTo(Input);
        Run();
        Output.CopyTo(output);
    }

    /// <summary>Runs every call on whatever is in the input slice; <paramref name="afterCall"/> may inspect tensors.</summary>
    public void Run(Action<int, KernelCall>? afterCall = null)
    {
        var calls = Program.Calls;
        for (var i = 0; i < calls.Length; i++)
        {
            Invoke(i, calls[i]);
            afterCall?.Invoke(i, calls[i]);
        }
    }

    /// <summary>The current bytes of a tensor (arena slice or constant data).</summary>
    public ReadOnlySpan<byte> TensorBytes(int id)
    {
        var t = Program.Tensors[id];
        return t.Placement == TensorPlacement.Constant ? t.Data!.Bytes : arena.AsSpan(t.Offset, t.Bytes);
    }

    private Span<sbyte> SByteSpan(int id) => MemoryMarshal.Cast<byte, sbyte>(Writable(id));

    /// <summary>The arena bytes of a tensor that calls may write (an activation or persistent state).</summary>
    private Span<byte> Writable(int id)
    {
        var t = Program.Tensors[id];
        if (t.Placement == TensorPlacement.Constant) throw new InvalidOperationException($"{t.Name} is constant");
        return arena.AsSpan(t.Offset, t.Bytes);
    }

    private ReadOnlySpan<sbyte> ReadSByte(int id) => MemoryMarshal.Cast<byte, sbyte>(TensorBytes(id));

    private ReadOnlySpan<int> ReadInt32(int id) => id < 0 ? default : MemoryMarshal.Cast<byte, int>(TensorBytes(id));

    private void Invoke(int index, KernelCall call)
    {
        var reference = variant == KernelVariant.Reference;
        switch (call)
        {
            case Conv2DCall { Mask: >= 0 } c:
                if (reference) Conv2D.ForwardWithMaskReference(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output), Writable(c.Mask));
                else Conv2D.ForwardWithMask(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output), Writable(c.Mask));
                break;
            case Conv2DCall c when packedFilters[index] is Conv2DPackedFilter packed:
                Conv2D.ForwardPacked(c.Params, packed, ReadSByte(c.Input), ReadInt32(c.Bias), SByteSpan(c.Output));
                break;
            case Conv2DCall c:
                if (reference) Conv2D.ForwardReference(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output));
                else Conv2D.Forward(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output));
                break;
            case DepthwiseConv2DCall { Mask: >= 0 } c:
                if (reference) DepthwiseConv2D.ForwardWithMaskReference(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output), Writable(c.Mask));
                else DepthwiseConv2D.ForwardWithMask(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output), Writable(c.Mask));
                break;
            case DepthwiseConv2DCall c when packedFilters[index] is DepthwiseConv2DPackedFilter packed:
                DepthwiseConv2D.ForwardPacked(c.Params, packed, ReadSByte(c.Input), ReadInt32(c.Bias), SByteSpan(c.Output));
                break;
            case DepthwiseConv2DCall c:
                if (reference) DepthwiseConv2D.ForwardReference(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output));
                else DepthwiseConv2D.Forward(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output));
                break;
            case FullyConnectedCall { Mask: >= 0 } c:
                if (reference) FullyConnected.ForwardWithMaskReference(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output), Writable(c.Mask));
                else FullyConnected.ForwardWithMask(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output), Writable(c.Mask));
                break;
            case FullyConnectedCall c:
                if (reference) FullyConnected.ForwardReference(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output));
                else FullyConnected.Forward(c.Params, ReadSByte(c.Input), ReadSByte(c.Filter), ReadInt32(c.Bias), SByteSpan(c.Output));
                break;
            case AddCall { Mask: >= 0 } c:
                if (reference) Add.ForwardWithMaskReference(c.Params, ReadSByte(c.A), ReadSByte(c.B), SByteSpan(c.Output), Writable(c.Mask));
                else Add.ForwardWithMask(c.Params, ReadSByte(c.A), ReadSByte(c.B), SByteSpan(c.Output), Writable(c.Mask));
                break;
            case AddCall c:
                if (reference) Add.ForwardReference(c.Params, ReadSByte(c.A), ReadSByte(c.B), SByteSpan(c.Output));
                else Add.Forward(c.Params, ReadSByte(c.A), ReadSByte(c.B), SByteSpan(c.Output));
                break;
            case ConvDepthwiseCall c when packedFilters[index] is ConvDepthwisePackedFilters packed:
                ConvDepthwise.ForwardPacked(c.Conv, c.Depthwise, packed, ReadSByte(c.Input), ReadInt32(c.ConvBias), ReadSByte(c.DepthwiseFilter),
                    ReadInt32(c.DepthwiseBias), SByteSpan(c.Planes), SByteSpan(c.Output));
                break;
            case ConvDepthwiseCall c:
                if (reference) ConvDepthwise.ForwardReference(c.Conv, c.Depthwise, ReadSByte(c.Input), ReadSByte(c.ConvFilter), ReadInt32(c.ConvBias),
                    ReadSByte(c.DepthwiseFilter), ReadInt32(c.DepthwiseBias), SByteSpan(c.Planes), SByteSpan(c.Output));
                else ConvDepthwise.Forward(c.Conv, c.Depthwise, ReadSByte(c.Input), ReadSByte(c.ConvFilter), ReadInt32(c.ConvBias),
                    ReadSByte(c.DepthwiseFilter), ReadInt32(c.DepthwiseBias), SByteSpan(c.Planes), SByteSpan(c.Output));
                break;
            case AveragePool2DCall c:
                AveragePool2D.Forward(c.Params, ReadSByte(c.Input), SByteSpan(c.Output));
                break;
            case MeanCall c:
                Mean.Forward(c.Params, ReadSByte(c.Input), SByteSpan(c.Output));
                break;
            case SoftmaxCall c:
                Softmax.Forward(c.Params, ReadSByte(c.Input), SByteSpan(c.Output));
                break;
            case PadCall c:
                Pad.Forward(c.Params, ReadSByte(c.Input), SByteSpan(c.Output));
                break;
            default:
                InvokeTraining(call);
                break;
        }
    }
}
