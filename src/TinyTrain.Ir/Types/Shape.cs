using System.Collections.Immutable;

namespace TinyTrain.Ir;

/// <summary>An immutable tensor shape with element-wise equality. NHWC for activations.</summary>
public sealed class Shape : IEquatable<Shape>
{
    public Shape(params int[] dims) : this(ImmutableArray.Create(dims)) { }

    public Shape(ImmutableArray<int> dims)
    {
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in [{string.Join(",", dims)}]");
        }
        Dims = dims;
    }

    public ImmutableArray<int> Dims { get; }
    public int Rank => Dims.Length;
    public int this[int axis] => Dims[axis < 0 ? Dims.Length + axis : axis];

    public long Elements
    {
        get
        {
            long n = 1;
            foreach (var d in Dims) n *= d;
            return n;
        }
    }

    public bool Equals(Shape? other) => other is not null && Dims.AsSpan().SequenceEqual(other.Dims.AsSpan());
    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var d in Dims) hash.Add(d);
        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(",", Dims) + "]";

    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);
}
