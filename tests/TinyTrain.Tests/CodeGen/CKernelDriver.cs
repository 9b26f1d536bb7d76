using System.Text;
using TinyTrain.CodeGen;

namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// kernel_driver.c compiled with the C runtime: runs a batch of <see cref="CKernelCase"/>s in one process and
/// checks that every buffer the C kernels wrote equals, byte for byte, what the C# reference kernels wrote.
/// </summary>
internal sealed class CKernelDriver
{
    private readonly string executable;
    private readonly IReadOnlyDictionary<string, string> environment;
    private int requests;

    private CKernelDriver(string executable, IReadOnlyDictionary<string, string> environment)
    {
        this.executable = executable;
        this.environment = environment;
    }

    /// <summary>
    /// Writes the runtime (<see cref="CRuntime.Files"/>, or the given variant of it) and the driver into a folder and
    /// compiles them with the host gcc, <see cref="CToolchain.StrictFlags"/> and the extra flags.
    /// </summary>
    public static CKernelDriver Compile(string directory, IEnumerable<string> extraFlags,
        IReadOnlyDictionary<string, string>? runtime = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string gcc = CToolchain.HostCompiler();
        Directory.CreateDirectory(directory);
        var sources = new List<string>();
        foreach (var (name, text) in runtime ?? CRuntime.Files)
        {
            File.WriteAllText(Path.Combine(directory, name), text);
            if (name.EndsWith(".c", StringComparison.Ordinal))
            {
                sources.Add(name);
            }
        }

        File.Copy(Path.Combine(AppContext.BaseDirectory, "CodeGen", "kernel_driver.c"), Path.Combine(directory, "kernel_driver.c"), overwrite: true);
        sources.Add("kernel_driver.c");
        string executable = Path.Combine(directory, "kernel_driver");
        var (exitCode, output) = CToolchain.Run(gcc, [.. CToolchain.StrictFlags, .. extraFlags, "-I.", .. sources, "-lm", "-o", executable], directory);
        if (exitCode != 0 || output.Length > 0)
        {
            throw new InvalidOperationException($"gcc failed ({exitCode}) on the C runtime:\n{output}");
        }

        return new CKernelDriver(executable, environment ?? new Dictionary<string, string>());
    }

    /// <summary>Runs the cases through the C kernels; returns, per case, the bytes of every buffer they wrote.</summary>
    public IReadOnlyList<byte[][]> Run(IReadOnlyList<CKernelCase> cases)
    {
        string directory = Path.GetDirectoryName(executable)!;
        int id = Interlocked.Increment(ref requests);
        string request = Path.Combine(directory, $"request{id}.bin");
        string response = Path.Combine(directory, $"response{id}.bin");
        File.WriteAllBytes(request, Encode(cases));
        var (exitCode, output) = CToolchain.Run(executable, [request, response], directory, environment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kernel_driver exited with {exitCode}:\n{output}");
        }

        var outputs = Decode(File.ReadAllBytes(response), cases);
        File.Delete(request);
        File.Delete(response);
        return outputs;
    }

    /// <summary>Runs the cases and fails, listing the first cases that differ, unless every output byte matches.</summary>
    public void AssertMatches(IReadOnlyList<CKernelCase> cases)
    {
        Assert.NotEmpty(cases);
        var actual = Run(cases);
        var failures = new List<string>();
        for (int c = 0; c < cases.Count; c++)
        {
            string? difference = Difference(cases[c], actual[c]);
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

    /// <summary>The first byte where a case's C output differs from the C# one, or null when all agree.</summary>
    public static string? Difference(CKernelCase kernelCase, byte[][] actual)
    {
        for (int o = 0; o < kernelCase.Expected.Length; o++)
        {
            byte[] expected = kernelCase.Expected[o];
            if (actual[o].Length != expected.Length)
            {
                return $"{kernelCase}: output {o} has {actual[o].Length} bytes, expected {expected.Length}";
            }

            int at = expected.AsSpan().CommonPrefixLength(actual[o]);
            if (at < expected.Length)
            {
                int word = at / 4 * 4;
                string context = expected.Length >= word + 4
                    ? $" (32-bit word {word / 4}: expected 0x{BitConverter.ToUInt32(expected, word):X8}, got 0x{BitConverter.ToUInt32(actual[o], word):X8})"
                    : "";
                return $"{kernelCase}: output {o} byte {at}: expected 0x{expected[at]:X2}, got 0x{actual[o][at]:X2}{context}";
            }
        }

        return null;
    }

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
