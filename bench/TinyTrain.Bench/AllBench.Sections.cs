using System.Text;
using TinyTrain.Compiler.Lowered;
using TinyTrain.Runtime.Benchmarking;

namespace TinyTrain.Bench;

// The Markdown of each part of the generated section, with its reading notes written from the figures.
public static partial class AllBench
{
    private static void Machine(StringBuilder text, string loadBefore, IReadOnlyList<Section> sections, string ortVersion)
    {
        text.AppendLine("### The machine and the run");
        text.AppendLine();
        var rows = MachineInfo.Rows(ortVersion, loadBefore).ToList();
        rows.Add(["load average (1 / 5 / 15 min) after", MachineInfo.LoadAverage()]);
        text.Append(Markdown.Table(["what", "value"], "ll", rows));
        text.AppendLine();
        text.Append(Markdown.Table(["part of the run", "load average at its start (1 / 5 / 15 min)", "wall time"], "llr",
            sections.Select(s => new[] { s.Name, s.LoadAtStart, $"{s.Wall.TotalSeconds:F0} s" })));
        text.AppendLine();
        text.AppendLine("A load average above the machine's 2 cores means other work (another engineer's builds and benchmarks) shared them: " +
            "absolute rates then drop and spread, ratios measured within one round much less.");
        text.AppendLine();
    }

    private static void Peak(StringBuilder text, IReadOnlyList<PeakBench.Row> atStart, IReadOnlyList<PeakBench.Row> atEnd, IReadOnlyList<PeakBench.Row> peaks)
    {
        text.AppendLine("### The limit: peak int8 and fp32 MAC rate of one core");
        text.AppendLine();
        text.AppendLine("A loop of 12 independent multiply-accumulate instructions on registers (no memory traffic), 21 timed rounds of 20 M " +
            "iterations after warm-up (`-- peak` prints this table alone), at the start of the run and again at its end; other work on the shared " +
            "cores can only lower a measurement, so the higher of the two medians is the limit (the last columns).");
        text.AppendLine();
        text.Append(Markdown.Table(["what", "instruction", "MACs per instruction", "at the start (median, min..max)", "at the end", "limit (MAC/s)", "instructions/s"],
            "llrllrr",
            peaks.Select((p, i) => new[]
            {
                p.What, p.Instruction, $"{p.MacsPerInstruction}", Giga(atStart[i].MacsPerSecond), Giga(atEnd[i].MacsPerSecond),
                $"{p.MacsPerSecond.Median / 1e9:F1} G", $"{p.MacsPerSecond.Median / p.MacsPerInstruction / 1e9:F2} G",
            })));
        text.AppendLine();
        var perSecond = peaks.Select(p => p.MacsPerSecond.Median / p.MacsPerInstruction / 1e9).ToList();
        var spread = perSecond.Max() / perSecond.Min();
        text.AppendLine($"The rows issue {string.Join(", ", perSecond.Select(x => $"{x:F1}"))} G instructions/s" +
            (spread < 1.15 ? ": the same instruction rate, so this core issues 512-bit VNNI and FMA as fast as 256-bit ones (the clock is not measured)." : "."));
        text.AppendLine(".NET 10 exposes no 512-bit VPDPBUSD (no `Avx512Vnni` class; `Avx10v1.V512` needs an AVX10 CPU), so the C# int8 row is the " +
            "int8 peak C# code can reach" + (peaks.FirstOrDefault(p => p.Instruction.Contains("zmm, C", StringComparison.Ordinal)) is { } c
                ? $"; the hardware's, measured from C, is {c.MacsPerSecond.Median / peaks[0].MacsPerSecond.Median:F1}x that."
                : "; gcc or AVX-512 VNNI was missing, so the hardware's zmm rate was not measured.") +
            " Efficiency below is against the C# rows: int8 forward kernels against the int8 peak, gradient and fp32 kernels (fp32 multiply-adds) against the fp32 peak.");
        text.AppendLine();
    }

    private static void Ort(StringBuilder text, IReadOnlyList<OrtBench.Row> rows, Limits limits, double? zmmPeak)
    {
        text.AppendLine("### Inference against ONNX Runtime");
        text.AppendLine();
        text.AppendLine($"One image per inference, the first {OrtBench.Images} Fashion-MNIST training images resized to the model's input. " +
            "\"ours, fused (device plan)\" is `InferenceLowering.Lower(graph, InferenceLowering.Device)` (conv + depthwise fused into channel " +
            "planes, the smallest arena); \"ours (host default, unfused)\" is `InferenceLowering.Lower(graph)`, what `infer` and `tinytrain bench` " +
            $"time. {OrtBench.Settings(21)}. ORT runs the model `OnnxExporter` writes; the last column compares every output of the images with ORT's " +
            "(`-- ort` prints this table alone).");
        text.AppendLine();
        text.Append(OrtBench.Table(rows, limits.Int8MacsPerSecond));
        text.AppendLine();
        foreach (var model in rows.GroupBy(r => r.Model))
        {
            var (fused, plain, ort) = (model.ElementAt(0), model.ElementAt(1), model.ElementAt(2));
            text.AppendLine($"- {model.Key}: {Versus("our host default", plain.Ratio!.Value.Median)}, {Versus("our fused device plan", fused.Ratio!.Value.Median)}; the fused plan costs " +
                $"{plain.ImagesPerSecond.Median / fused.ImagesPerSecond.Median:F1}x in time against the unfused one. Outputs: " +
                (plain.MaxDifference == 0 ? "identical to ORT's." : $"within {plain.MaxDifference} LSB of ORT's" +
                    (model.Key.StartsWith("vww", StringComparison.Ordinal) ? " (a TFLite model: we compute TFLite's fixed-point requantisation, ORT float; see the README's export notes)." : ".")) +
                $" ORT reaches {Markdown.Percent(ort.ImagesPerSecond.Median * ort.Macs / limits.Int8MacsPerSecond)} of the C# int8 peak, " +
                $"we {Markdown.Percent(plain.ImagesPerSecond.Median * plain.Macs / limits.Int8MacsPerSecond)}" +
                (zmmPeak is { } z ? $" (of the hardware's zmm VNNI peak: {Markdown.Percent(ort.ImagesPerSecond.Median * ort.Macs / z)} and {Markdown.Percent(plain.ImagesPerSecond.Median * plain.Macs / z)})." : "."));
        }
        text.AppendLine("- The exported models carry no unused initializers (ORT used to warn about one unused `x_scale`/`y_scale` pair per layer; " +
            "`OnnxExporter` no longer writes them, and the harness now runs ORT at warning level, so a new warning would show in the run's output).");
        var best = rows.Max(r => r.ImagesPerSecond.Median * r.Macs / limits.Int8MacsPerSecond);
        text.AppendLine($"- The fastest engine here reaches {Markdown.Percent(best)} of the C# int8 peak: these small models spend their time in per-layer " +
            "overhead, memory traffic and depthwise layers (few MACs per byte), not in multiply-accumulates; the peak is a ceiling, not a target. The fused device plan exists for the " +
            "device's arena, not for speed: host inference lowers without it (`inspect` still reports the device plan's arena), while training " +
            "programs keep it (their arena is the device's), so its `ConvDepthwise` kernel shows up again below.");
        text.AppendLine();
    }

    /// <summary>"ONNX Runtime is 2.1x our host default (ratio 0.48)" or "our host default is 2.03x ONNX Runtime".</summary>
    private static string Versus(string ours, double ratio) => ratio < 1
        ? $"ONNX Runtime is {1 / ratio:F1}x {ours} (ratio {ratio:F2})"
        : $"{ours} is {ratio:F2}x ONNX Runtime";

    private static void TrainingSection(StringBuilder text, IReadOnlyList<TrainingResult> results, Limits limits, int rounds, string data)
    {
        text.AppendLine("### Training step: the three paper models, int8 and fp32");
        text.AppendLine();
        text.AppendLine($"A step is the whole lowered training program at batch 1 on one core (the device's policy: update after every image): forward " +
            "with clamp masks, loss, the pruned backward, QAS-scaled SGD updates. Inputs are the first 64 " + data + " images, pre-encoded to 128x128x3 " +
            $"(decoding is not timed), 10 classes; the int8 rows have an int8 head, the fp32 rows the fp32 mode of the same graph with an fp32 head. " +
            $"{rounds} timed rounds; a round runs 8 steps of each of a model's four programs in turn (the order rotating), so the four see the " +
            $"same load and their ratios hold when the load changes; then {rounds} steps of each are profiled call by call (next section). MACs per step are counted " +
            "from the lowered program (forward, input gradients, filter gradients of the trained channels). \"of peak\" is the GMAC/s over the " +
            "peak of the row's precision; \"of limit\" is the time the step's MACs would take at the peak of each kernel's own arithmetic (int8 " +
            "forward kernels at the int8 peak, fp32 gradients at the fp32 peak) over the measured time.");
        text.AppendLine();
        text.Append(Markdown.Table(
            ["model", "scheme", "precision", "training arena", "MACs / step", "images/s (median, min..max)", "GMAC/s", "of peak", "of limit"], "lllrrlrrr",
            results.Select(r => new[]
            {
                r.Model, r.Scheme, r.Precision, $"{r.ArenaBytes:N0} B", $"{r.Macs / 1e6:F1} M", r.ImagesPerSecond.ToString(),
                $"{r.Macs * r.ImagesPerSecond.Median / 1e9:F2}",
                Markdown.Percent(r.Macs * r.ImagesPerSecond.Median / (r.Precision == "fp32" ? limits.Float32MacsPerSecond : limits.Int8MacsPerSecond)),
                Markdown.Percent(limits.SecondsAtLimit(r.Program) * r.ImagesPerSecond.Median),
            })));
        text.AppendLine();
        foreach (var model in results.GroupBy(r => r.Model))
        {
            var sparse = model.First(r => r.Scheme != "full" && r.Precision == "int8");
            var sparseFp32 = model.First(r => r.Scheme != "full" && r.Precision == "fp32");
            var full = model.First(r => r.Scheme == "full" && r.Precision == "int8");
            var fullFp32 = model.First(r => r.Scheme == "full" && r.Precision == "fp32");
            text.AppendLine($"- {model.Key}: {sparse.Scheme} does {(double)sparse.Macs / full.Macs:P0} of `full`'s MACs and runs " +
                $"{sparse.ImagesPerSecond.Median / full.ImagesPerSecond.Median:F1}x as fast in int8, in a {(double)full.ArenaBytes / sparse.ArenaBytes:F1}x smaller arena. " +
                $"int8 against fp32: {sparse.ImagesPerSecond.Median / sparseFp32.ImagesPerSecond.Median:F2}x the images/s with {sparse.Scheme}, " +
                $"{full.ImagesPerSecond.Median / fullFp32.ImagesPerSecond.Median:F2}x with `full`" +
                (sparse.ImagesPerSecond.Median < sparseFp32.ImagesPerSecond.Median
                    ? $" (int8 is slower than fp32 with {sparse.Scheme}; only the int8 program runs the frozen early blocks as fused `ConvDepthwise` calls, for the device's arena: see its row below)." : "."));
        }
        text.AppendLine();
    }

    private sealed record KindTotal(string Kind, Arithmetic Arithmetic, int Calls, long Macs, double Seconds, double Int8Share, double Fp32Share);

    private static void Kernels(StringBuilder text, IReadOnlyList<TrainingResult> results, Limits limits)
    {
        var totals = new Dictionary<string, double>
        {
            ["int8"] = results.Where(r => r.Precision == "int8").Sum(r => r.SecondsPerCall.Sum()),
            ["fp32"] = results.Where(r => r.Precision == "fp32").Sum(r => r.SecondsPerCall.Sum()),
        };
        var kinds = results
            .SelectMany(r => r.Program.Calls.Select((call, i) => (r.Precision, Call: call, Seconds: r.SecondsPerCall[i])))
            .GroupBy(x => (Kind: KernelProfile.KindOf(x.Call), Arithmetic: KernelProfile.ArithmeticOf(x.Call)))
            .Select(g => new KindTotal(g.Key.Kind, g.Key.Arithmetic, g.Count(), g.Sum(x => x.Call.Macs), g.Sum(x => x.Seconds),
                ShareOf(g, "int8"), ShareOf(g, "fp32")))
            .ToList();
        // NaN: the kind does not occur in programs of that precision.
        double ShareOf(IEnumerable<(string Precision, KernelCall Call, double Seconds)> calls, string precision) =>
            calls.Any(x => x.Precision == precision) ? calls.Where(x => x.Precision == precision).Sum(x => x.Seconds) / totals[precision] : double.NaN;
        double OfPeak(KindTotal k) => k.Macs / k.Seconds / limits.Of(k.Arithmetic);
        var withMacs = kinds.Where(k => k.Macs > 0).OrderBy(OfPeak).ToList();
        var without = kinds.Where(k => k.Macs == 0).OrderByDescending(k => k.Seconds).ToList();

        text.AppendLine("### Where a training step's time goes, kernel by kernel");
        text.AppendLine();
        text.AppendLine("Every call of each of the twelve programs above timed on its own (median over the profiled steps, batch 1, one core), " +
            "added up by kernel kind across the three models and both schemes. \"share\" is of the total time of the six int8 (or six fp32) steps; " +
            "\"of peak\" is the kind's GMAC/s over the peak of its arithmetic. Sorted with the kernel furthest from the limit first; kernels without " +
            "MACs (updates, masks, pooling, loss) follow by time.");
        text.AppendLine();
        text.Append(Markdown.Table(["kernel", "arithmetic", "calls in the 12 steps", "MACs in the 12 steps", "share of int8 steps", "share of fp32 steps", "GMAC/s", "of peak"],
            "llrrrrrr",
            withMacs.Concat(without).Select(k => new[]
            {
                k.Kind, k.Arithmetic switch { Arithmetic.Int8 => "int8", Arithmetic.Float32 => "fp32", _ => "" }, $"{k.Calls}",
                k.Macs == 0 ? "" : Macs(k.Macs), Share(k.Int8Share), Share(k.Fp32Share),
                k.Macs == 0 ? "" : $"{k.Macs / k.Seconds / 1e9:F2}", k.Macs == 0 ? "" : Markdown.Percent(OfPeak(k)),
            })));
        text.AppendLine();
        var furthest = withMacs.Where(k => k.Int8Share >= 0.01 || k.Fp32Share >= 0.01).Take(3).ToList();
        var biggestInt8 = kinds.Where(k => !double.IsNaN(k.Int8Share)).MaxBy(k => k.Int8Share)!;
        var biggestFp32 = kinds.Where(k => !double.IsNaN(k.Fp32Share)).MaxBy(k => k.Fp32Share)!;
        text.AppendLine($"Furthest from the limit among the kernels that take at least 1 % of a step's time: {string.Join("; ", furthest.Select(k => $"`{k.Kind}` at {Markdown.Percent(OfPeak(k))} of its peak ({Shares(k)})"))}" +
            (withMacs.FirstOrDefault() is { } tiny && !furthest.Contains(tiny)
                ? $"; `{tiny.Kind}` is further still, but its {tiny.Macs / tiny.Calls:N0} MACs per call are mostly call overhead and it takes {Shares(tiny)}. " : ". ") +
            $"The most time goes to `{biggestInt8.Kind}` in the int8 steps ({Share(biggestInt8.Int8Share)}) and to `{biggestFp32.Kind}` in the fp32 steps ({Share(biggestFp32.Fp32Share)}). " +
            "A kind far from its peak with a large share is where kernel work pays most; a kind far from its peak with a small share matters little.");
        text.AppendLine();
    }

    private static string Share(double fraction) => double.IsNaN(fraction) ? "-" : Markdown.Percent(fraction);

    private static string Giga(Rate r) => $"{r.Median / 1e9:F1} G ({r.Min / 1e9:F1}..{r.Max / 1e9:F1})";

    private static string Shares(KindTotal k) => string.Join(", ", new[] { ("int8", k.Int8Share), ("fp32", k.Fp32Share) }
        .Where(p => !double.IsNaN(p.Item2)).Select(p => $"{Markdown.Percent(p.Item2)} of the {p.Item1} steps' time"));

    private static string Macs(long macs) => macs >= 1_000_000 ? $"{macs / 1e6:F1} M" : $"{macs / 1e3:F1} k";

    private static void Memory(StringBuilder text, IReadOnlyList<MemoryBench.RssRow> rss, IReadOnlyList<MemoryBench.LadderRow> ladder)
    {
        text.AppendLine("### Memory: planned arena against the process's resident memory");
        text.AppendLine();
        text.AppendLine($"Each row is a child process (`-- rss MODEL SCHEME PRECISION`) that loads the model, compiles the training step and fine-tunes " +
            $"on {MemoryBench.TrainImages} Fashion-MNIST images (1 epoch, batch 1, decoding and resizing included, as `tinytrain train` does). RSS is " +
            "VmRSS from /proc/self/status; the peaks are VmHWM, reset (`echo 5 > /proc/self/clear_refs`) after compiling, so the training peak is " +
            "the training's own.");
        text.AppendLine();
        text.Append(MemoryBench.RssTable(rss));
        text.AppendLine();
        var sparse = rss.Where(r => r.Scheme != "full").ToList();
        text.AppendLine($"The planned arena is all the SRAM a step needs on the device; on the PC the process holds {string.Join(", ", sparse.Select(r => $"{r.TrainingPeakBytes / (double)r.ArenaBytes:F0}x"))} " +
            $"its arena at the training peak ({string.Join(", ", sparse.Select(r => r.Model))}). Most of it is there before training starts: " +
            $"{MemoryBench.MB(rss.Min(r => r.StartBytes))} to {MemoryBench.MB(rss.Max(r => r.StartBytes))} is the runtime before anything loads, and loading the model and " +
            $"compiling the step (the parsed model, the compiler's graphs, the JIT's code, the garbage collector's heap) bring it to {MemoryBench.MB(rss.Min(r => r.BeforeTrainingBytes))} to " +
            $"{MemoryBench.MB(rss.Max(r => r.BeforeTrainingBytes))}. Training itself adds " +
            $"{string.Join(", ", rss.Select(r => MemoryBench.MB(r.TrainingPeakBytes - r.BeforeTrainingBytes)))} (row by row) to the RSS it started from: " +
            "the executor's arena, the JIT's code for the kernels, the batch reader's decoded images and the garbage collector's headroom.");
        text.AppendLine();
        text.AppendLine("The memory ladder (mbv2-w0.35, 128x128, 10 classes), each step from the planner; the paper's figures are TinyEngine's:");
        text.AppendLine();
        text.Append(MemoryBench.LadderTable(ladder));
        text.AppendLine();
        var paperRatios = new[] { 5.7 / 2.9, 2.9 * 1024 / 335, 335.0 / 141 };
        text.AppendLine($"The steps' ratios, ours against the paper's: {string.Join(", ", Enumerable.Range(1, 3).Select(i => $"{(double)ladder[i - 1].ArenaBytes / ladder[i].ArenaBytes:F1}x against {paperRatios[i - 1]:F1}x"))}.");
    }
}
