using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>
/// Affine quantisation: real = scale * (q - zeroPoint). Per tensor (one scale) or per channel along
/// <see cref="Axis"/>. Scales are kept in double: the paper's models store Python floats and every derived
/// constant is computed in double, then rounded once (design.md §3).
/// </summary>
public sealed class QuantParams : IEquatable<QuantParams>
{
    public QuantParams(ImmutableArray<double> scales, ImmutableArray<int> zeroPoints, int axis = 0)
    {
        if (scales.IsDefaultOrEmpty) throw new ArgumentException("quantisation needs at least one scale");
        if (zeroPoints.Length != 1 && zeroPoints.Length != scales.Length)
            throw new ArgumentException($"{zeroPoints.Length} zero points for {scales.Length} scales");
        foreach (var scale in scales)
        {
            if (!double.IsFinite(scale) || scale < 0) throw new ArgumentException($"quantisation scale {scale} is not a finite non-negative number");
        }
        Scales = scales;
        ZeroPoints = zeroPoints;
        Axis = axis;
    }

    public static QuantParams PerTensor(double scale, int zeroPoint) => new([scale], [zeroPoint]);

    public static QuantParams PerChannel(IEnumerable<double> scales, int axis) => new([.. scales], [0], axis);

    public ImmutableArray<double> Scales { get; }
    public ImmutableArray<int> ZeroPoints { get; }
    public int Axis { get; }

    public bool IsPerTensor => Scales.Length == 1;
    public double Scale => IsPerTensor ? Scales[0] : throw new InvalidOperationException("per-channel quantisation has no single scale");
    public int ZeroPoint => ZeroPoints[0];

    public double ScaleAt(int channel) => IsPerTensor ? Scales[0] : Scales[channel];
    public int ZeroPointAt(int channel) => ZeroPoints.Length == 1 ? ZeroPoints[0] : ZeroPoints[channel];

    public bool Equals(QuantParams? other) =>
        other is not null && Axis == other.Axis
        && Scales.AsSpan().SequenceEqual(other.Scales.AsSpan())
        && ZeroPoints.AsSpan().SequenceEqual(other.ZeroPoints.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as QuantParams);
    public override int GetHashCode() => HashCode.Combine(Scales.Length, Scales[0], ZeroPoints[0], Axis);

    public override string ToString() => IsPerTensor
        ? $"q(s={Scales[0]:G6}, z={ZeroPoints[0]})"
        : $"q(per-channel x{Scales.Length}, axis {Axis})";
}
