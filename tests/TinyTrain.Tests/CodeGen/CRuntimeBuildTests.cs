using TinyTrain.CodeGen;

namespace TinyTrain.Tests.CodeGen;

/// <summary>How the C runtime builds: strict warnings, Cortex-M7, sanitizers, its dependencies, and that the parity tests catch a wrong kernel.</summary>
public sealed class CRuntimeBuildTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"tinytrain-cruntime-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The embedded runtime is the Runtime folder of the source tree: every .c file there, and nothing else.</summary>
    [Fact]
    public void Files_hold_the_public_and_internal_headers_and_the_kernel_sources()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "TinyTrain.CodeGen", "Runtime");
        string[] expected = [.. Directory.GetFiles(folder, "*.c").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.True(expected.Length >= 29, $"only {expected.Length} C sources in {folder}");
        Assert.Equal(expected, CRuntime.Sources);
        Assert.Equal([.. expected, "channel_requant.h", CRuntime.Header, CRuntime.InternalHeader],
            CRuntime.Files.Keys.OrderBy(name => name.EndsWith(".h", StringComparison.Ordinal)).ThenBy(name => name, StringComparer.Ordinal));
        Assert.All(CRuntime.Sources, name => Assert.Contains($"#include \"{CRuntime.InternalHeader}\"", CRuntime.Files[name], StringComparison.Ordinal));
        Assert.Contains($"#include \"{CRuntime.Header}\"", CRuntime.Files[CRuntime.InternalHeader], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_source_compiles_with_extra_warnings_as_errors()
    {
        string gcc = CToolchain.HostCompiler();
        CRuntime.WriteTo(directory);
        string[] extra = ["-Wpedantic", "-Wshadow", "-Wconversion", "-Wcast-qual", "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wvla"];
        foreach (string source in CRuntime.Sources)
        {
            var (exitCode, output) = CToolchain.Run(gcc, [.. CToolchain.StrictFlags, .. extra, "-c", source, "-o", source + ".o"], directory);
            Assert.True(exitCode == 0 && output.Length == 0, $"{source}:\n{output}");
        }
    }

    [Fact]
    public void The_runtime_calls_nothing_but_libm_and_memset_memmove()
    {
        string gcc = CToolchain.HostCompiler();
        CRuntime.WriteTo(directory);
        var objects = CRuntime.Sources.Select(source => source + ".o").ToArray();
        foreach (string source in CRuntime.Sources)
        {
            var (exitCode, output) = CToolchain.Run(gcc, [.. CToolchain.StrictFlags, "-c", source, "-o", source + ".o"], directory);
            Assert.True(exitCode == 0, output);
        }

        AssertOnlyAllowedCalls(CToolchain.Find("nm") ?? throw new InvalidOperationException("nm (binutils) is not on PATH"), objects);
    }

    [Fact]
    public void Kernels_run_clean_under_address_and_undefined_behaviour_sanitizers()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0:halt_on_error=1",
            ["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1",
        };
        var driver = CKernelDriver.Compile(directory, ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined,float-cast-overflow", "-fno-sanitize-recover=all"],
            environment: environment);
        driver.AssertMatches([.. EveryKernel(seed: 100, scale: 2)]);
    }

    [Fact]
    public void A_wrong_kernel_makes_the_parity_tests_fail()
    {
        // Each mutation is a plausible porting slip; the cases of its kernel must expose it.
        (string File, string From, string To, IEnumerable<CKernelCase> Cases)[] mutations =
        [
            ("requantizer.c", "return rintf(value);", "return roundf(value);", CKernelCases.Conv2DForward(seed: 1, count: 80)),
            ("tinytrain_internal.h", "nudge = product >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);", "nudge = (int64_t)1 << 30;",
                CKernelCases.FixedPointPrimitives(seed: 17, count: 200)),
            ("average_pool2d.c", "/ (float)w.count;\n                for", "* (1.0f / (float)w.count);\n                for", CKernelCases.Pooling(seed: 11, count: 60)),
            ("max_pool2d.c", "if (max >= p->act_min && max <= p->act_max) {", "if (max <= p->act_max) {", CKernelCases.MaxPooling(seed: 23, count: 80)),
            ("requant.c", "? product : 0.0f;", "? product : -0.0f;", CKernelCases.GradientPlumbing(seed: 13, count: 40)),
            ("requant.c", "c += 8 * step;", "c += 8 * step * (bits != 0);", CKernelCases.GradientPlumbing(seed: 13, count: 40)),
            ("requant.c", "s[per_channel ? (k) : 0]", "s[per_channel ? (k) ^ 1 : 0]", CKernelCases.GradientPlumbing(seed: 13, count: 40)),
            ("bias.c", "a5 += g[5], a6 += g[6]", "a5 += g[6], a6 += g[6]", CKernelCases.GradientPlumbing(seed: 13, count: 40)),
            ("sgd.c", "(result & 1) != 0", "(result & 1) == 0", CKernelCases.SgdSlices(seed: 16, count: 40)),
            ("depthwise_conv2d.c", "sum += (int32_t)*w * ((int32_t)*x - zero);", "sum += (int32_t)*w * ((int32_t)*x + zero);",
                CKernelCases.DepthwiseConv2DForward(seed: 4, count: 80)),
            ("channel_requant.h", "r->offset = fits ? (in_magic ? 0 : zero_point) - 0x4B400000 : 0;",
                "r->offset = fits ? (in_magic ? 0 : zero_point) - 0x4B3FFFFF : 0;", CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("channel_requant.h", "fits && zero_point % 2 == 0 &&", "fits && zero_point % 1 == 0 &&", CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("channel_requant.h", "ends[k] = ends[k] < min ? min - 1 :", "ends[k] = ends[k] < min ? min :", CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("channel_requant.h", "r->high = fits ? (float)high : 0.0f;", "r->high = fits ? (float)high - 1.0f : 0.0f;",
                CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("conv2d_pointwise.c", "fold1 = -zero * weights1;", "fold1 = -zero * weights0;", CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("conv2d_patches.c", "gather(p, input, end, out_y, out_x, patch, pitch);", "gather(p, input, end, out_x, out_y, patch, pitch);",
                CKernelCases.ConvDepthwiseForward(seed: 20, count: 24)),
            ("depthwise_plane.c", "sum += taps[filter_x] * x[filter_x];", "sum += taps[filter_x] * x[kernel_w - 1 - filter_x];",
                CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("depthwise_conv2d.c", "const int32_t rows = (last - 1 - first) * p->stride_h + p->kernel_h;",
                "const int32_t rows = (last - 1 - first) * p->stride_h + p->kernel_h - 1;", CKernelCases.LargeConvolutions(seed: 19, count: 24)),
            ("add.c", "const float low = (float)(p->act_min - zero_out)", "const float low = (float)(p->act_min - zero_out + 1)",
                CKernelCases.AddForward(seed: 9, count: 60)),
            ("sgd_slice.c", "at->base += layout->inner;", "at->base += layout->channel_count;", CKernelCases.SgdSlices(seed: 16, count: 40)),
            ("depthwise_nhwc.c", "s3 += w[3] * (b[3] - zero);", "s3 += w[3] * (b[2] - zero);", CKernelCases.DepthwiseConv2DForward(seed: 4, count: 80)),
            ("conv2d_backward_pointwise.c", "a70 = tt_mla(a70, g7, w0)", "a70 = tt_mla(a70, g6, w0)", CKernelCases.LargeInputGrads(seed: 21, count: 24)),
            ("conv2d_backward_pointwise.c", "offsets[rows++] = (first + o) * inputs;", "offsets[rows++] = (first + o - (o > 0)) * inputs;",
                CKernelCases.LargeInputGrads(seed: 21, count: 24)),
            ("conv2d_backward.c", "x[j] = (float)in[input_channels[j]] - zero_point;", "x[j] = (float)in[input_channels[j] ^ 1] - zero_point;",
                CKernelCases.Conv2DBackward(seed: 22, count: 60)),
            ("depthwise_backward_gathered.c", "(low + stride - 1) / stride;", "(low + stride) / stride;", CKernelCases.LargeInputGrads(seed: 21, count: 24)),
        ];
        var runtime = new Dictionary<string, string>(CRuntime.Files);
        foreach (var (file, from, to, _) in mutations)
        {
            Assert.Contains(from, runtime[file], StringComparison.Ordinal);
            runtime[file] = runtime[file].Replace(from, to, StringComparison.Ordinal);
        }

        var driver = CKernelDriver.Compile(directory, [], runtime);
        foreach (var (file, from, to, cases) in mutations)
        {
            var list = cases.ToList();
            var actual = driver.Run(list);
            Assert.True(list.Where((c, i) => CKernelDriver.Difference(c, actual[i]) != null).Any(), $"{file}: '{from}' -> '{to}' went unnoticed");
        }
    }

    [ToolFact("arm-none-eabi-gcc", "arm-none-eabi-nm")]
    public void Every_source_compiles_for_a_cortex_m7_and_calls_nothing_but_libm_and_the_arm_runtime()
    {
        string gcc = CToolchain.Find("arm-none-eabi-gcc")!;
        CRuntime.WriteTo(directory);
        foreach (string source in CRuntime.Sources)
        {
            var (exitCode, output) = CToolchain.Run(gcc, [.. CToolchain.CortexM7Flags, .. CToolchain.StrictFlags, "-c", source, "-o", source + ".o"], directory);
            Assert.True(exitCode == 0 && output.Length == 0, $"{source}:\n{output}");
        }

        AssertOnlyAllowedCalls(CToolchain.Find("arm-none-eabi-nm")!, [.. CRuntime.Sources.Select(source => source + ".o")]);
    }

    /// <summary>
    /// The Cortex-M paths hold assembly; a user may build the generated project at any optimisation level, and inline
    /// assembly that asks for many registers compiles at some levels and not at others. Every source, for both cores, at
    /// every level, without a warning.
    /// </summary>
    [ToolFact("arm-none-eabi-gcc")]
    public void Every_source_compiles_for_both_cores_at_every_optimisation_level()
    {
        string gcc = CToolchain.Find("arm-none-eabi-gcc")!;
        CRuntime.WriteTo(directory);
        foreach (string[] core in new[] { CToolchain.CortexM7Flags, CToolchain.CortexM4Flags })
        {
            foreach (string level in new[] { "-O0", "-O1", "-Os", "-O3" })
            {
                string[] flags = [.. core, .. CRuntime.RequiredFlags, "-Wall", "-Wextra", "-Werror", level, "-c"];
                var (exitCode, output) = CToolchain.Run(gcc, [.. flags, .. CRuntime.Sources], directory);
                Assert.True(exitCode == 0 && output.Length == 0, $"{string.Join(' ', core)} {level}:\n{output}");
            }
        }
    }

    /// <summary>A small run of every kernel family.</summary>
    internal static IEnumerable<CKernelCase> EveryKernel(int seed, int scale) =>
    [
        .. CKernelCases.Conv2DForward(seed, 12 * scale), .. CKernelCases.Conv2DBackward(seed, 8 * scale), .. CKernelCases.Conv2DForwardFloat(seed, 6 * scale),
        .. CKernelCases.DepthwiseConv2DForward(seed, 12 * scale), .. CKernelCases.DepthwiseConv2DBackward(seed, 8 * scale),
        .. CKernelCases.DepthwiseConv2DForwardFloat(seed, 6 * scale), .. CKernelCases.FullyConnectedForward(seed, 8 * scale),
        .. CKernelCases.FullyConnectedBackward(seed, 6 * scale), .. CKernelCases.FullyConnectedForwardFloat(seed, 6 * scale),
        .. CKernelCases.AddForward(seed, 8 * scale), .. CKernelCases.Pooling(seed, 8 * scale), .. CKernelCases.MaxPooling(seed, 8 * scale),
        .. CKernelCases.MeanSoftmaxPad(seed, 8 * scale),
        .. CKernelCases.GradientPlumbing(seed, 8 * scale), .. CKernelCases.Loss(seed, 9 * scale), .. CKernelCases.SgdRounding(seed, 8 * scale),
        .. CKernelCases.SgdSlices(seed, 12 * scale), .. CKernelCases.SliceMerges(seed, 4 * scale), .. CKernelCases.FixedPointPrimitives(seed, 200 * scale),
        .. CKernelCases.LargeConvolutions(seed, 4 * scale), .. CKernelCases.WideConvolutions(seed, 4 * scale), .. CKernelCases.ConvDepthwiseForward(seed, 4 * scale),
        .. CKernelCases.LargeInputGrads(seed, 4 * scale), .. CKernelCases.FastPaths(seed),
    ];

    /// <summary>
    /// Undefined symbols of the objects, outside the runtime's own: libm, memset/memmove, and the compiler's helper
    /// routines (ARM EABI conversions and divisions). No allocation, no I/O.
    /// </summary>
    private void AssertOnlyAllowedCalls(string nm, string[] objects)
    {
        var (exitCode, output) = CToolchain.Run(nm, ["-u", .. objects], directory);
        Assert.True(exitCode == 0, output);
        string[] allowed = ["memset", "memmove", "memcpy", "expf", "logf", "rintf", "floorf", "fabsf"];
        var undefined = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.EndsWith(':') && line.Length > 0)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])
            .Where(symbol => !symbol.StartsWith("tt_", StringComparison.Ordinal) && !symbol.StartsWith("__aeabi_", StringComparison.Ordinal))
            .Distinct()
            .ToArray();
        Assert.All(undefined, symbol => Assert.Contains(symbol, allowed));
    }
}
