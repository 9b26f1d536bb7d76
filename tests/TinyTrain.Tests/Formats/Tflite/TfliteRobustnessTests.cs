using System.Buffers.Binary;
using TinyTrain.Formats.Tflite;

namespace TinyTrain.Tests.Formats.Tflite;

/// <summary>Malformed input must always end in a one-line TfliteFormatException, never another exception or a hang.</summary>
public class TfliteRobustnessTests
{
    private static void AssertFormatError(byte[] data, string name, string? expected = null)
    {
        var ex = Assert.Throws<TfliteFormatException>(() => TfliteReader.Read(data, name));
        Assert.StartsWith(name + ": ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Null(ex.InnerException); // caught by an explicit check, not by the safety net
        if (expected is not null) Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    public void Too_short_files_are_rejected(int length) =>
        AssertFormatError(new byte[length], "short.tflite", "too short");

    [Fact]
    public void Wrong_identifier_is_rejected()
    {
        byte[] data = File.ReadAllBytes(TestData.Path("tflite-micro", "hello_world", "hello_world_int8.tflite"));
        "TFL2"u8.CopyTo(data.AsSpan(4));
        AssertFormatError(data, "wrong_id.tflite", "file identifier is \"TFL2\", expected \"TFL3\"");
        data[4] = 0;
        AssertFormatError(data, "binary_id.tflite", "0x00464C32");
    }

    [Fact]
    public void Root_offset_past_end_is_rejected()
    {
        byte[] data = File.ReadAllBytes(TestData.Path("tflite-micro", "hello_world", "hello_world_int8.tflite"));
        BinaryPrimitives.WriteUInt32LittleEndian(data, 0xFFFFFFF0);
        AssertFormatError(data, "root.tflite", "root offset");
    }

    [Fact]
    public void Truncated_files_are_rejected_at_every_length_of_a_small_model()
    {
        byte[] data = File.ReadAllBytes(TestData.Path("tflite-micro", "hello_world", "hello_world_int8.tflite"));
        for (int len = 0; len < data.Length; len++)
        {
            try { TfliteReader.Read(data.AsMemory(0, len), "cut.tflite"); }
            catch (TfliteFormatException ex) { Assert.Null(ex.InnerException); }
        }
    }

    [Theory]
    [InlineData("tflite-micro/person_detection/person_detect.tflite", 1)]
    [InlineData("tflite-micro/hello_world/hello_world_int8.tflite", 2)]
    public void Seeded_mutations_parse_or_throw_format_errors(string relative, int seed)
    {
        byte[] original = File.ReadAllBytes(TestData.Path(relative.Split('/')));
        int[] hot = StructuralPositions(original);
        var rng = new Random(seed);
        int parsed = 0, rejected = 0;
        byte[] data = new byte[original.Length];
        for (int iter = 0; iter < 1000; iter++)
        {
            original.CopyTo(data, 0);
            int length = Mutate(data, hot, rng, iter % 4);
            try
            {
                TfliteReader.Read(data.AsMemory(0, length), "fuzz.tflite");
                parsed++;
            }
            catch (TfliteFormatException ex)
            {
                Assert.True(ex.InnerException is null, $"iteration {iter}: {ex.InnerException}");
                Assert.StartsWith("fuzz.tflite: ", ex.Message);
                Assert.DoesNotContain('\n', ex.Message);
                rejected++;
            }
        }
        Assert.True(parsed > 0 && rejected > 0, $"parsed {parsed}, rejected {rejected}");
    }

    /// <summary>Applies one mutation; returns the (possibly truncated) length.</summary>
    private static int Mutate(byte[] data, int[] hot, Random rng, int kind)
    {
        int Pick() => rng.Next(4) == 0 ? rng.Next(data.Length) : hot[rng.Next(hot.Length)];
        switch (kind)
        {
            case 0: // flip a few bytes
                for (int i = rng.Next(1, 9); i > 0; i--) data[Pick()] ^= (byte)rng.Next(1, 256);
                return data.Length;
            case 1: // truncate
                return rng.Next(data.Length);
            case 2: // overwrite an aligned word with an offset-like value
            {
                int pos = Math.Min(Pick() & ~3, data.Length - 4);
                uint[] specials = [0, 1, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFC, (uint)data.Length];
                uint v = rng.Next(3) switch
                {
                    0 => specials[rng.Next(specials.Length)],
                    1 => (uint)rng.Next(data.Length),
                    _ => (uint)rng.Next(-64, 64),
                };
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(pos), v);
                return data.Length;
            }
            default: // random 4 bytes anywhere, then maybe truncate
            {
                int pos = Math.Min(Pick(), data.Length - 4);
                rng.NextBytes(data.AsSpan(pos, 4));
                return rng.Next(4) == 0 ? rng.Next(data.Length) : data.Length;
            }
        }
    }

    /// <summary>Byte positions outside large constant buffers, where mutations hit flatbuffer structure.</summary>
    private static int[] StructuralPositions(byte[] file)
    {
        var isData = new bool[file.Length];
        foreach (byte[] buffer in TfliteReader.Read(file, "original").Buffers)
        {
            if (buffer.Length < 64) continue;
            int at = file.AsSpan().IndexOf(buffer);
            if (at >= 0) Array.Fill(isData, true, at, buffer.Length);
        }
        return [.. Enumerable.Range(0, file.Length).Where(i => !isData[i])];
    }
}
