using System.Reflection;
using System.Runtime.InteropServices;
using TinyTrain.Kernels;
using Xunit.Sdk;

namespace TinyTrain.Tests.Kernels;

/// <summary>Theory data: the seeds 0 .. count - 1, one test case each.</summary>
public sealed class SeedsAttribute(int count) : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => Enumerable.Range(0, count).Select(seed => new object[] { seed });
}

/// <summary>
/// The check every SIMD path gets: a kernel run through the reference set (the spec), then at every vector width and
/// through the fast set, writes the same bits.
/// </summary>
internal static class KernelSets
{
    /// <summary>Every vector width, then the fast set (the widest this machine accelerates, or the reference loops).</summary>
    public static IEnumerable<(string Name, KernelSet Set)> Vectorized =>
        KernelRandom.Widths.Select(width => (width.ToString(), KernelSet.At(width))).Append(("fast", KernelSet.Fast));

    /// <summary>
    /// Runs <paramref name="run"/>, which returns the arrays it wrote (outputs, masks, gradients), with the reference set
    /// and then every <see cref="Vectorized"/> set: each array must equal the reference's bit for bit.
    /// </summary>
    public static void AssertAgree(Func<KernelSet, Array[]> run, object context)
    {
        var expected = run(KernelSet.Reference);
        foreach (var (name, set) in Vectorized)
        {
            var actual = run(set);
            for (int k = 0; k < expected.Length; k++)
            {
                AssertSameBits(expected[k], actual[k], $"{name}, array {k}: {context}");
            }
        }
    }

    /// <summary>Arrays of a primitive type equal bit for bit (for floats, +0 and -0 differ and NaNs must match); fails at the first difference.</summary>
    public static void AssertSameBits(Array expected, Array actual, object context)
    {
        Assert.Equal(expected.Length, actual.Length);
        int at = Bytes(expected).CommonPrefixLength(Bytes(actual));
        if (at < Buffer.ByteLength(expected))
        {
            int i = at / (Buffer.ByteLength(expected) / expected.Length);
            Assert.Fail($"first difference at {i}: expected {Format(expected.GetValue(i))}, got {Format(actual.GetValue(i))}; case {context}");
        }
    }

    private static ReadOnlySpan<byte> Bytes(Array array) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), Buffer.ByteLength(array));

    private static string? Format(object? value) => value is float f ? f.ToString("R") : value?.ToString();
}
