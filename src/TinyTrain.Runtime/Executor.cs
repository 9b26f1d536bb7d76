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
public sealed partial class Executor : IKernelHost
{
    private readonly byte[] arena;

    // Per call: its constant filter packed once for Conv2D/DepthwiseConv2D.ForwardPacked (null: the call runs unpacked).
    private readonly object?[] packedFilters;

    public Executor(Program program, KernelVariant variant = KernelVariant.Auto)
    {
        Program = program;
        Kernels = variant == KernelVariant.Reference ? KernelSet.Reference : KernelSet.Fast;
        arena = new byte[program.ArenaBytes];
        packedFilters = Kernels.PacksFilters ? PackFilters(program) : new object?[program.Calls.Length];
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

    /// <summary>The kernels every call runs with, chosen once from the variant.</summary>
    public KernelSet Kernels { get; }

    private int current;

    public object? Packed => packedFilters[current];

    private void Invoke(int index, KernelCall call)
    {
        current = index;
        call.Run(this);
    }

    ReadOnlySpan<byte> IKernelHost.Bytes(int id) => TensorBytes(id);
    Span<byte> IKernelHost.WritableBytes(int id) => Writable(id);
    ReadOnlySpan<sbyte> IKernelHost.SBytes(int id) => ReadSByte(id);
    Span<sbyte> IKernelHost.WritableSBytes(int id) => SByteSpan(id);
    ReadOnlySpan<int> IKernelHost.Int32s(int id) => ReadInt32(id);
    ReadOnlySpan<float> IKernelHost.Floats(int id) => ReadFloat(id);
    Span<float> IKernelHost.WritableFloats(int id) => FloatSpan(id);
}
