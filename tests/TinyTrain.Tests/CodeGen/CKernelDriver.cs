using System.Text;
using TinyTrain.CodeGen;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// kernel_driver.c compiled with the C runtime: runs a batch of <see cref="CKernelCase"/>s in one process and
/// checks that every buffer the C kernels wrote equals, byte for byte, what the C# reference kernels wrote.
/// </summary>
internal sealed class CKernelDriver
{
    private const string RequestFile = "request.bin";
    private const string ResponseFile = "response.bin";

    private readonly string directory;
    private readonly string program;
    private readonly string[] arguments;
    private readonly IReadOnlyDictionary<string, string> environment;
    private readonly bool armDefaultNaN;

    private CKernelDriver(string directory, string program, string[] arguments, IReadOnlyDictionary<string, string> environment, bool armDefaultNaN = false)
    {
        this.directory = directory;
        this.program = program;
        this.arguments = arguments;
        this.environment = environment;
        this.armDefaultNaN = armDefaultNaN;
    }

    /// <summary>
    /// Writes the runtime (<see cref="CRuntime.Files"/>, or the given variant of it) and the driver into a folder and
    /// compiles them with the host gcc, <see cref="CToolchain.StrictFlags"/> and the extra flags.
    /// </summary>
    public static CKernelDriver Compile(string directory, IEnumerable<string> extraFlags,
        IReadOnlyDictionary<string, string>? runtime = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string executable = Path.Combine(directory, "kernel_driver");
        var sources = WriteSources(directory, runtime ?? CRuntime.Files);
        Build(CToolchain.HostCompiler(), directory, [.. CToolchain.StrictFlags, .. extraFlags, "-I.", .. sources, "-lm", "-o", executable]);
        return new CKernelDriver(directory, executable, [RequestFile, ResponseFile], environment ?? new Dictionary<string, string>());
    }

    /// <summary>
    /// The same driver built for a Cortex-M (CPU flags such as <see cref="CToolchain.CortexM7Flags"/>, newlib,
    /// semihosting) and run bare metal on a QEMU board with RAM at 0x20000000 (mps2-an500: M7, mps2-an386: M4),
    /// reading the request and writing the response through the host's files.
    /// </summary>
    public static CKernelDriver CompileForCortexM(string directory, string[] cpuFlags, string machine, string armGcc, string qemu)
    {
        string elf = Path.Combine(directory, "kernel_driver.elf");
        var sources = WriteSources(directory, CRuntime.Files);
        foreach (string file in new[] { "startup.c", "link.ld" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "CodeGen", "CortexM", file), Path.Combine(directory, file), overwrite: true);
        }

        Build(armGcc, directory,
        [
            .. cpuFlags, .. CToolchain.StrictFlags, "-I.", "--specs=nano.specs", "--specs=rdimon.specs", "-nostartfiles",
            "-T", "link.ld", "startup.c", .. sources, "-lm", "-o", elf,
        ]);
        return new CKernelDriver(directory, qemu,
            ["-M", machine, "-nographic", "-monitor", "none", "-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", elf],
            new Dictionary<string, string>(), armDefaultNaN: true);
    }

    private static List<string> WriteSources(string directory, IReadOnlyDictionary<string, string> runtime)
    {
        Directory.CreateDirectory(directory);
        var sources = new List<string>();
        foreach (var (name, text) in runtime)
        {
            File.WriteAllText(Path.Combine(directory, name), text);
            if (name.EndsWith(".c", StringComparison.Ordinal))
            {
                sources.Add(name);
            }
        }

        foreach (var file in new[] { "kernel_driver.c", "kernel_request.c", "kernel_request.h" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "CodeGen", file), Path.Combine(directory, file), overwrite: true);
            if (file.EndsWith(".c", StringComparison.Ordinal)) sources.Add(file);
        }
        return sources;
    }

    private static void Build(string compiler, string directory, string[] arguments)
    {
        var (exitCode, output) = CToolchain.Run(compiler, arguments, directory);
        if (exitCode != 0 || output.Length > 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(compiler)} failed ({exitCode}) on the C runtime:\n{output}");
        }
    }

    /// <summary>Runs the cases through the C kernels; returns, per case, the bytes of every buffer they wrote.</summary>
    public IReadOnlyList<byte[][]> Run(IReadOnlyList<CKernelCase> cases)
    {
        string request = Path.Combine(directory, RequestFile);
        string response = Path.Combine(directory, ResponseFile);
        File.Delete(response);
        File.WriteAllBytes(request, Encode(cases));
        var (exitCode, output) = CToolchain.Run(program, arguments, directory, environment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kernel_driver exited with {exitCode}:\n{output}");
        }

        return Decode(File.ReadAllBytes(response), cases);
    }

    /// <summary>Runs the cases and fails, listing the first cases that differ, unless every output byte matches.</summary>
    public void AssertMatches(IReadOnlyList<CKernelCase> cases)
    {
        Assert.NotEmpty(cases);
        var actual = Run(cases);
        var failures = new List<string>();
        for (int c = 0; c < cases.Count; c++)
        {
            string? difference = Difference(cases[c], actual[c], armDefaultNaN);
            if (difference != null)
            {
                failures.Add(difference);
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} of {cases.Count} cases differ from the C# reference:\n{string.Join('\n', failures.Take(8))}");
        }
    }

    /// <summary>
    /// The first byte where a case's C output differs from the C# one, or null when all agree. With armDefaultNaN, an
    /// aligned word 0x7FC00000 (the NaN an ARM FPU makes for an invalid operation) stands for the host's default NaN
    /// 0xFFC00000: the two differ only in the sign bit, which nothing reads.
    /// </summary>
    public static string? Difference(CKernelCase kernelCase, byte[][] actual, bool armDefaultNaN = false)
    {
        for (int o = 0; o < kernelCase.Expected.Length; o++)
        {
            byte[] expected = kernelCase.Expected[o];
            if (actual[o].Length != expected.Length)
            {
                return $"{kernelCase}: output {o} has {actual[o].Length} bytes, expected {expected.Length}";
            }

            for (int at = expected.AsSpan().CommonPrefixLength(actual[o]); at < expected.Length; at = NextDifference(expected, actual[o], at + 1))
            {
                int word = at / 4 * 4;
                bool whole = expected.Length >= word + 4;
                if (armDefaultNaN && whole && BitConverter.ToUInt32(expected, word) == 0xFFC00000 && BitConverter.ToUInt32(actual[o], word) == 0x7FC00000)
                {
                    continue;
                }

                string context = whole
                    ? $" (32-bit word {word / 4}: expected 0x{BitConverter.ToUInt32(expected, word):X8}, got 0x{BitConverter.ToUInt32(actual[o], word):X8})"
                    : "";
                return $"{kernelCase}: output {o} byte {at}: expected 0x{expected[at]:X2}, got 0x{actual[o][at]:X2}{context}";
            }
        }

        return null;
    }

    private static int NextDifference(byte[] expected, byte[] actual, int from) =>
        from >= expected.Length ? expected.Length : from + expected.AsSpan(from).CommonPrefixLength(actual.AsSpan(from));

    private static byte[] Encode(IReadOnlyList<CKernelCase> cases)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.ASCII);
        writer.Write("TTKR"u8);
        writer.Write(cases.Count);
        foreach (var c in cases)
        {
            writer.Write((int)c.Kernel);
            writer.Write(c.Ints.Length);
            foreach (int value in c.Ints)
            {
                writer.Write(value);
            }

            writer.Write(c.Floats.Length);
            foreach (float value in c.Floats)
            {
                writer.Write(value);
            }

            WriteBlobs(writer, c.Inputs);
            WriteBlobs(writer, c.Outputs);
        }

        writer.Flush();
        return stream.ToArray();
    }

    private static void WriteBlobs(BinaryWriter writer, byte[][] blobs)
    {
        writer.Write(blobs.Length);
        foreach (byte[] blob in blobs)
        {
            writer.Write(blob.Length);
            writer.Write(blob);
        }
    }

    private static List<byte[][]> Decode(byte[] response, IReadOnlyList<CKernelCase> cases)
    {
        using var reader = new BinaryReader(new MemoryStream(response));
        var outputs = new List<byte[][]>(cases.Count);
        foreach (var c in cases)
        {
            int count = reader.ReadInt32();
            Assert.Equal(c.Outputs.Length, count);
            var blobs = new byte[count][];
            for (int o = 0; o < count; o++)
            {
                blobs[o] = reader.ReadBytes(reader.ReadInt32());
            }

            outputs.Add(blobs);
        }

        Assert.Equal(response.Length, reader.BaseStream.Position);
        return outputs;
    }
}
