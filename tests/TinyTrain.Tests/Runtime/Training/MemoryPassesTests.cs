using System.Runtime.InteropServices;
using TinyTrain.Compiler;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Formats;
using TinyTrain.Ir;
using TinyTrain.Kernels;
using TinyTrain.Runtime;

namespace TinyTrain.Tests.Runtime.Training;

/// <summary>
/// Reordering, fused updates, in-place ops and the shared arena change where bytes live and when, never a result:
/// the same steps give the same weights with every pass on, with none, and with no two tensors sharing a byte.
/// </summary>
public class MemoryPassesTests
{
    private static readonly Lazy<Graph> Mcunet = new(() => ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl")));

    public static TheoryData<string, float, UpdatePolicy> Cases => new()
    {
        { "paper:49kb", 0f, UpdatePolicy.Device },
        { "last:6", 0f, UpdatePolicy.Device },
        { "paper:99kb", 0.9f, UpdatePolicy.Master },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Planned_reordered_arena_trains_to_the_same_weights_as_separate_buffers_in_graph_order(string scheme, float momentum, UpdatePolicy policy)
    {
        var options = new TrainingOptions(10) { Policy = policy };
        var planned = Compilation.CompileTraining(Mcunet.Value, scheme, options, momentum).Program;
        var plain = Compilation.CompileTraining(Mcunet.Value, scheme, options, momentum, memory: MemoryOptions.None).Program;
        Assert.True(planned.Program.ArenaBytes < plain.Program.ArenaBytes, $"{planned.Program.ArenaBytes} B planned vs {plain.Program.ArenaBytes} B plain");
        Assert.Contains(planned.Program.Calls, c => c is FusedUpdateCall);
        Assert.Contains(planned.Program.Calls, c => c is ConvDepthwiseCall);
        Assert.DoesNotContain(plain.Program.Calls, c => c is FusedUpdateCall);

        var runs = new[] { planned, plain, Unshared(planned) }
            .Select(p => (Program: p, Executor: new Executor(p.Program) { LearningRate = 0.02f })).ToList();
        var random = new Random(5);
        for (var step = 0; step < 4; step++)
        {
            var image = new sbyte[planned.Program.Tensors[planned.Image].Bytes];
            random.NextBytes(MemoryMarshal.AsBytes(image.AsSpan()));
            foreach (var (program, executor) in runs)
            {
                executor.SetImage(program.Image, image);
                executor.SetLabel(program.Label, step % 10);
                executor.Run();
            }
            var loss = runs[0].Executor.Floats(runs[0].Program.Loss)[0];
            foreach (var (program, executor) in runs) Assert.Equal(loss, executor.Floats(program.Loss)[0]);
        }
        AssertSameState(runs);
    }

    [Fact]
    public void Deferred_batch_updates_of_fused_calls_equal_the_unfused_ones()
    {
        var planned = Compilation.CompileTraining(Mcunet.Value, "paper:49kb", new TrainingOptions(10)).Program;
        var plain = Compilation.CompileTraining(Mcunet.Value, "paper:49kb", new TrainingOptions(10), memory: MemoryOptions.None).Program;
        var runs = new[] { planned, plain }.Select(p => (Program: p, Executor: new Executor(p.Program) { LearningRate = 0.05f, DeferUpdates = true })).ToList();
        var random = new Random(6);
        for (var image = 0; image < 3; image++)
        {
            var pixels = new sbyte[planned.Program.Tensors[planned.Image].Bytes];
            random.NextBytes(MemoryMarshal.AsBytes(pixels.AsSpan()));
            foreach (var (program, executor) in runs)
            {
                executor.SetImage(program.Image, pixels);
                executor.SetLabel(program.Label, image);
                executor.Run();
            }
        }
        foreach (var (_, executor) in runs) Executor.ApplyDeferredUpdates([executor], 1f / 3);
        AssertSameState(runs);
    }

    private static void AssertSameState(List<(TrainingProgram Program, Executor Executor)> runs)
    {
        var expected = Parameters(runs[0].Program, runs[0].Executor);
        Assert.Contains(expected.Values, p => !p.Value.AsSpan().SequenceEqual(p.Initial)); // the steps did train
        foreach (var (program, executor) in runs.Skip(1))
        {
            var actual = Parameters(program, executor);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, (value, _)) in expected) Assert.True(value.AsSpan().SequenceEqual(actual[name].Value), $"{name} differs");
        }
    }

    /// <summary>
    /// Every trained parameter as the whole tensor the model sees (a filter kept as an SRAM slice is merged with its
    /// frozen channels), with its value before training; velocities as they are. Master copies are checked through
    /// the parameters they round to.
    /// </summary>
    private static Dictionary<string, (byte[] Value, byte[] Initial)> Parameters(TrainingProgram training, Executor executor)
    {
        var program = training.Program;
        var merges = program.Calls.OfType<SliceMergeCall>().ToList();
        var result = new Dictionary<string, (byte[], byte[])>();
        foreach (var t in training.State.Where(t => !t.Name.EndsWith(".master", StringComparison.Ordinal)))
        {
            var value = executor.TensorBytes(t.Id).ToArray();
            var initial = t.Data!.Bytes.ToArray();
            if (merges.FirstOrDefault(m => m.Trained == t.Id) is { } merge)
            {
                var frozen = program.Tensors[merge.Frozen];
                byte[] Whole(byte[] slice)
                {
                    var whole = new sbyte[frozen.Bytes];
                    SliceMerge.Merge(MemoryMarshal.Cast<byte, sbyte>(frozen.Data!.Bytes), MemoryMarshal.Cast<byte, sbyte>(slice.AsSpan()), merge.Channels.AsSpan(), whole);
                    return MemoryMarshal.AsBytes(whole.AsSpan()).ToArray();
                }
                result[frozen.Name] = (Whole(value), Whole(initial));
            }
            else
            {
                result[t.Name] = (value, initial);
            }
        }
        return result;
    }

    /// <summary>The same program with every arena tensor in bytes of its own: no sharing, no in-place writes.</summary>
    private static TrainingProgram Unshared(TrainingProgram training)
    {
        var p = training.Program;
        var offset = 0;
        var tensors = p.Tensors.Select(t =>
        {
            if (t.Placement == TensorPlacement.Constant) return t;
            var placed = t with { Offset = offset };
            offset += (t.Bytes + 7) / 8 * 8;
            return placed;
        }).ToList();
        // Views (reshapes) share one tensor id already, so each id is one buffer.
        return training with { Program = new Program(p.Name, [.. tensors], p.Calls, offset, p.Inputs, p.Outputs) };
    }
}

public class TrainingStepAllocationTests
{
    [Theory]
    [InlineData("paper:49kb")]
    [InlineData("last:6")]
    public void After_warm_up_a_training_step_allocates_no_managed_memory(string scheme)
    {
        // The executor runs in its one planned arena: kernels take spans of it and nothing else.
        var model = ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", "mcunet-5fps.pkl"));
        var training = Compilation.CompileTraining(model, scheme, new TrainingOptions(10)).Program;
        var executor = new Executor(training.Program) { LearningRate = 0.01f };
        var image = new sbyte[training.Program.Tensors[training.Image].Bytes];
        new Random(1).NextBytes(MemoryMarshal.AsBytes(image.AsSpan()));
        executor.SetImage(training.Image, image);
        executor.SetLabel(training.Label, 3);
        // Warm-up: JIT, lazy statics. The runtime's own tier-up (call counting, on-stack replacement) may allocate now and
        // then on this thread for a while, more so under load; our code would allocate in every step. So: up to ten
        // windows of three steps, and one window that allocates nothing proves a step needs no managed memory.
        executor.Run();
        executor.Run();
        long allocated = -1;
        for (var window = 0; window < 10 && allocated != 0; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var step = 0; step < 3; step++)
            {
                executor.SetLabel(training.Label, step);
                executor.Run();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(allocated == 0, $"three training steps allocated {allocated} B");
        Assert.True(float.IsFinite(executor.Floats(training.Loss)[0]));
    }
}
