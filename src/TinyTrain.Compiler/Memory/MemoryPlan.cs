using System.Collections.Immutable;

namespace TinyTrain.Compiler.Memory;

/// <summary>Offsets of every buffer in one arena, and the arena's size.</summary>
public sealed class MemoryPlan
{
    public MemoryPlan(ImmutableArray<BufferRequest> buffers, ImmutableArray<int> offsets, int arenaBytes, string strategy = "")
    {
        Buffers = buffers;
        Offsets = offsets;
        ArenaBytes = arenaBytes;
        Strategy = strategy;
    }

    /// <summary>The placement order that produced the plan.</summary>
    public string Strategy { get; }

    public ImmutableArray<BufferRequest> Buffers { get; }
    public ImmutableArray<int> Offsets { get; }
    public int ArenaBytes { get; }

    /// <summary>Pairs of buffers that are live together and share bytes; a correct plan has none.</summary>
    public IEnumerable<(int A, int B)> Overlaps()
    {
        for (var i = 0; i < Buffers.Length; i++)
        {
            for (var j = i + 1; j < Buffers.Length; j++)
            {
                var (a, b) = (Buffers[i], Buffers[j]);
                if (a.Bytes == 0 || b.Bytes == 0 || !a.LivesWith(b)) continue;
                if (Offsets[i] < Offsets[j] + b.Bytes && Offsets[j] < Offsets[i] + a.Bytes) yield return (a.Id, b.Id);
            }
        }
    }
}
