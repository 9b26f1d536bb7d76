using System.Runtime.InteropServices;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Ir;
using TinyTrain.Kernels;

namespace TinyTrain.Runtime;

public sealed partial class Executor
{
    /// <summary>The step size the updates of the next run use (a trainer sets it per step from its schedule).</summary>
    public float LearningRate { get; set; }


    public ReadOnlySpan<float> Floats(int id) => MemoryMarshal.Cast<byte, float>(TensorBytes(id));

    private Span<float> FloatSpan(int id) => MemoryMarshal.Cast<byte, float>(Writable(id));

    private ReadOnlySpan<float> ReadFloat(int id) => id < 0 ? default : MemoryMarshal.Cast<byte, float>(TensorBytes(id));

    /// <summary>Copies every persistent tensor (parameters, optimiser state) from another executor of the same program.</summary>
    public void CopyStateFrom(Executor other)
    {
        if (!ReferenceEquals(other.Program, Program)) throw new ArgumentException("executors run different programs");
        foreach (var t in Program.Tensors)
        {
            if (t.Placement == TensorPlacement.Persistent) other.arena.AsSpan(t.Offset, t.Bytes).CopyTo(arena.AsSpan(t.Offset, t.Bytes));
        }
    }

    /// <summary>Overwrites a persistent tensor (a checkpoint being restored).</summary>
    public void LoadState(int id, ReadOnlySpan<byte> bytes)
    {
        var t = Program.Tensors[id];
        if (t.Placement != TensorPlacement.Persistent || bytes.Length != t.Bytes)
            throw new ArgumentException($"{t.Name}: cannot load {bytes.Length} bytes into a {t.Placement} tensor of {t.Bytes}");
        bytes.CopyTo(arena.AsSpan(t.Offset, t.Bytes));
    }

    /// <summary>Writes an int8 image into an input tensor (a training program has two inputs: image and label).</summary>
    public void SetImage(int id, ReadOnlySpan<sbyte> image) => image.CopyTo(MemoryMarshal.Cast<byte, sbyte>(Writable(id)));

    /// <summary>Writes one int32 label into a label input.</summary>
    public void SetLabel(int id, int label) => MemoryMarshal.Cast<byte, int>(Writable(id))[0] = label;

    /// <summary>An update call: applied now, or added to the batch's sum when updates are deferred.</summary>
    void IKernelHost.Update(SgdUpdateCall c)
    {
        if (DeferUpdates) Accumulate(c, ReadFloat(c.Gradient), 0, ReadFloat(c.Gradient).Length);
        else Update(c, ReadFloat(c.Gradient));
    }

    /// <summary>
    /// When set, update calls add their gradient to a per-call sum instead of updating (host-side batches); see
    /// <see cref="ApplyDeferredUpdates"/>.
    /// </summary>
    public bool DeferUpdates { get; set; }

    private readonly Dictionary<SgdUpdateCall, float[]> deferred = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adds a gradient (or the block of it starting at element <paramref name="start"/>) to the update's batch sum.</summary>
    private void Accumulate(SgdUpdateCall c, ReadOnlySpan<float> grad, int start, int wholeLength)
    {
        if (!deferred.TryGetValue(c, out var sum)) deferred[c] = sum = new float[wholeLength];
        Kernels.AddInPlace(sum.AsSpan(start, grad.Length), grad);
    }

    /// <summary>
    /// The filter gradient a block of output channels at a time, each block applied (or, deferred, summed) at once.
    /// A block's parameters, QAS factors, velocities and master values are contiguous slices: output channel o owns
    /// parameter rows [o * paramsPerOutput, ...) and gradient rows [o * PerOutput, ...).
    /// </summary>
    void IKernelHost.FusedUpdate(FusedUpdateCall c)
    {
        var u = c.Update;
        var scratch = FloatSpan(u.Gradient);
        var paramsPerOutput = Program.Tensors[u.Parameter].Bytes / Program.Tensors[u.Parameter].DType.SizeInBytes() / c.Outputs;
        for (var first = 0; first < c.Outputs; first += c.Block)
        {
            var grad = scratch[..(Math.Min(c.Block, c.Outputs - first) * c.PerOutput)];
            c.Gradient.RunBlock(this, first, grad);
            if (DeferUpdates) Accumulate(u, grad, first * c.PerOutput, c.Outputs * c.PerOutput);
            else Update(u, grad, first * paramsPerOutput, first, first * c.PerOutput);
        }
    }

    /// <summary>
    /// Applies the deferred gradients of a batch: for each update, the workers' sums are added in list order, scaled
    /// by <paramref name="scale"/> (1 / batch) and applied to every worker, so all keep identical parameters. Then the
    /// sums are cleared. All workers must run the same program.
    /// </summary>
    public static void ApplyDeferredUpdates(IReadOnlyList<Executor> workers, float scale)
    {
        var first = workers[0];
        foreach (var c in first.Program.Calls.Select(c => c as SgdUpdateCall ?? (c as FusedUpdateCall)?.Update).OfType<SgdUpdateCall>())
        {
            float[]? total = null;
            foreach (var worker in workers)
            {
                if (!ReferenceEquals(worker.Program, first.Program)) throw new ArgumentException("workers must run the same program");
                if (!worker.deferred.TryGetValue(c, out var sum)) continue;
                if (total is null)
                {
                    if (!first.totals.TryGetValue(c, out total)) first.totals[c] = total = new float[sum.Length];
                    sum.CopyTo(total, 0);
                }
                else
                {
                    first.Kernels.AddInPlace(total, sum);
                }
            }
            if (total is null) continue;
            for (var i = 0; i < total.Length; i++) total[i] *= scale;
            foreach (var worker in workers) worker.Update(c, total);
        }
        foreach (var worker in workers) worker.ClearDeferred();
    }

    private readonly Dictionary<SgdUpdateCall, float[]> totals = new(ReferenceEqualityComparer.Instance);

    public void ClearDeferred()
    {
        foreach (var sum in deferred.Values) Array.Clear(sum);
    }

    /// <summary>Runs the first <paramref name="calls"/> calls only (e.g. the forward pass and the loss).</summary>
    public void RunPrefix(int calls)
    {
        for (var i = 0; i < calls; i++) Invoke(i, Program.Calls[i]);
    }

    /// <summary>
    /// Applies a gradient, or a block of one: the block's parameters start at element <paramref name="parameterStart"/>,
    /// its QAS factors at <paramref name="qasStart"/> and its velocities at <paramref name="gradStart"/>.
    /// </summary>
    private void Update(SgdUpdateCall c, ReadOnlySpan<float> grad, int parameterStart = 0, int qasStart = 0, int gradStart = 0)
    {
        var layout = c.Layout;
        var qas = c.Qas.AsSpan()[qasStart..];
        var velocity = c.Velocity < 0 ? default : FloatSpan(c.Velocity).Slice(gradStart, grad.Length);
        var type = Program.Tensors[c.Parameter].DType;
        if (c.Master >= 0)
        {
            var master = FloatSpan(c.Master)[parameterStart..];
            SgdSlice.UpdateMaster(master, grad, qas, layout, LearningRate, velocity, c.Momentum);
            if (type == DType.Int8) SgdSlice.RoundToInt8(master, SByteSpan(c.Parameter)[parameterStart..], layout, grad.Length);
            else SgdSlice.RoundToInt32(master, MemoryMarshal.Cast<byte, int>(Writable(c.Parameter))[parameterStart..], layout, grad.Length);
            return;
        }
        switch (type)
        {
            case DType.Int8:
                SgdSlice.UpdateInt8(SByteSpan(c.Parameter)[parameterStart..], grad, qas, layout, LearningRate, velocity, c.Momentum);
                break;
            case DType.Int32:
                SgdSlice.UpdateInt32(MemoryMarshal.Cast<byte, int>(Writable(c.Parameter))[parameterStart..], grad, qas, layout, LearningRate, velocity, c.Momentum);
                break;
            default:
                SgdSlice.UpdateFloat(FloatSpan(c.Parameter)[parameterStart..], grad, qas, layout, LearningRate, velocity, c.Momentum);
                break;
        }
    }
}
