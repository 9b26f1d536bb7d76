namespace TinyTrain.Compiler.Memory;

/// <summary>Orders in which <see cref="FirstFit"/> places buffers; every one breaks ties on first use, then id.</summary>
public static class PlacementOrder
{
    /// <summary>Largest first (TFLite Micro).</summary>
    public static int[] BySize(IReadOnlyList<BufferRequest> r) => Sorted(r, i => -(long)r[i].Bytes);

    /// <summary>Largest bytes x lifetime first: long-lived large buffers settle at the bottom.</summary>
    public static int[] ByArea(IReadOnlyList<BufferRequest> r) => Sorted(r, i => -(long)r[i].Bytes * (r[i].LastUse - r[i].FirstUse + 1));

    /// <summary>Longest lifetime first (TinyEngine's scheduler sorts by lifetime).</summary>
    public static int[] ByLifetime(IReadOnlyList<BufferRequest> r) => Sorted(r, i => -(long)(r[i].LastUse - r[i].FirstUse), i => -(long)r[i].Bytes);

    /// <summary>In order of first use, larger first: the order a stack allocator would see them.</summary>
    public static int[] ByFirstUse(IReadOnlyList<BufferRequest> r) => Sorted(r, i => r[i].FirstUse, i => -(long)r[i].Bytes);

    private static int[] Sorted(IReadOnlyList<BufferRequest> r, Func<int, long> key, Func<int, long>? then = null) =>
        [.. Enumerable.Range(0, r.Count).OrderBy(key).ThenBy(then ?? (_ => 0)).ThenBy(i => r[i].FirstUse).ThenBy(i => r[i].Id)];
}
