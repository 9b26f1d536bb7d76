namespace TinyTrain.Formats.Pickle;

/// <summary>
/// Final check of a result tree, without recursion: only public value types, every array built,
/// no cycles, bounded nesting and bounded size with shared references expanded.
/// </summary>
internal static class PickleTree
{
    struct Frame(object node, int depth)
    {
        public readonly object Node = node;
        public readonly int Depth = depth;
        public int Next;
        public long Size = 1;
        public int Height;
    }

    public static void Validate(object? root, PickleLimits lim)
    {
        if (!IsContainer(root)) { CheckLeaf(root); return; }
        var done = new Dictionary<object, (long Size, int Height)>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var path = new List<Frame> { new(root!, 0) };
        onPath.Add(root!);
        while (path.Count > 0)
        {
            var f = path[^1];
            if (TryChild(f.Node, f.Next, out object? child))
            {
                f.Next++;
                if (!IsContainer(child)) { CheckLeaf(child); f.Size++; }
                else if (onPath.Contains(child!)) throw new PickleError("the result contains a reference cycle");
                else if (done.TryGetValue(child!, out var r)) Add(ref f, r.Size, r.Height, lim);
                else
                {
                    if (path.Count >= lim.MaxDepth) throw new PickleError($"nesting exceeds {lim.MaxDepth} levels");
                    path[^1] = f;
                    path.Add(new Frame(child!, path.Count));
                    onPath.Add(child!);
                    continue;
                }
                path[^1] = f;
                continue;
            }
            path.RemoveAt(path.Count - 1);
            onPath.Remove(f.Node);
            done[f.Node] = (f.Size, f.Height);
            if (path.Count > 0)
            {
                var p = path[^1];
                Add(ref p, f.Size, f.Height, lim);
                path[^1] = p;
            }
        }
    }

    static void Add(ref Frame f, long size, int height, PickleLimits lim)
    {
        f.Size += size;
        f.Height = Math.Max(f.Height, height + 1);
        if (f.Size > lim.MaxTreeNodes) throw new PickleError($"expanded result exceeds {lim.MaxTreeNodes} nodes");
        if (f.Depth + f.Height > lim.MaxDepth) throw new PickleError($"nesting exceeds {lim.MaxDepth} levels");
    }

    static bool IsContainer(object? v) => v is PickleDict or List<object?> or object?[];

    static bool TryChild(object node, int i, out object? child)
    {
        switch (node)
        {
            case PickleDict d when i < d.Count: child = d[i].Value; return true;
            case List<object?> l when i < l.Count: child = l[i]; return true;
            case object?[] t when i < t.Length: child = t[i]; return true;
            default: child = null; return false;
        }
    }

    static void CheckLeaf(object? v)
    {
        switch (v)
        {
            case null or bool or long or double or string or byte[]: return;
            case NdArray a when a.IsBuilt: return;
            case NdArray: throw new PickleError("the result contains an ndarray whose state was never set (no BUILD)");
            default: throw new PickleError($"the result contains a bare {PickleText.Describe(v)}");
        }
    }
}
