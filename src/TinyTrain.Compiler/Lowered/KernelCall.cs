using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// One kernel invocation of a lowered program: the op's precomputed parameters and the ids of the program tensors it
/// reads and writes. Each call kind binds its host kernel (<see cref="Run"/>) and its C function (<see cref="C"/>)
/// side by side, so the executor and the C emitter both run exactly what the record says and cannot drift apart.
/// </summary>
public abstract record KernelCall(string Name)
{
    public abstract IEnumerable<int> Reads { get; }
    public abstract IEnumerable<int> Writes { get; }
    public virtual long Macs => 0;

    /// <summary>Whether the MACs are int8 products (the forward convolutions) rather than fp32 ones.</summary>
    public virtual bool Int8Macs => false;

    /// <summary>The host binding: the C# kernel on the executor's tensors.</summary>
    public abstract void Run(IKernelHost h);

    /// <summary>The C binding: the runtime function tinytrain.h declares for it, as one C statement.</summary>
    public abstract string C(ICallEmitter c);

    /// <summary>The kernel's name in profiles: the op, and the arithmetic where an op has two.</summary>
    public virtual string Kernel => GetType().Name.Replace("Call", "", StringComparison.Ordinal);

    protected static string WithMask(int mask) => mask >= 0 ? "_with_mask" : "";
    protected static string MaskArg(ICallEmitter c, int mask) => mask >= 0 ? ", " + c.Tensor(mask) : "";
}

/// <summary>A call that reads one tensor and writes another (pools, mean, softmax, pad, requantisation).</summary>
public abstract record UnaryCall(string Name, int Input, int Output) : KernelCall(Name)
{
    public override IEnumerable<int> Reads => [Input];
    public override IEnumerable<int> Writes => [Output];
}
