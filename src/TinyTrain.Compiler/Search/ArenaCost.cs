using System.Collections.Concurrent;
using TinyTrain.Compiler.Autodiff;
using TinyTrain.Compiler.Schedule;
using TinyTrain.Ir;

namespace TinyTrain.Compiler.Search;

/// <summary>
/// The real cost of a candidate: compile its training step and take the planned arena, the bytes of SRAM a step
/// needs (all memory passes on). Each distinct candidate is compiled once; safe to call from several threads.
/// </summary>
public sealed class ArenaCost(Graph model, SearchSpace space, TrainingOptions options, float momentum = 0, bool fp32 = false)
{
    private readonly ConcurrentDictionary<Candidate, int> bytes = new();

    public int Bytes(Candidate candidate) => bytes.GetOrAdd(candidate, c =>
        Compilation.CompileTraining(model, space.ToScheme(c, "candidate"), options, momentum, fp32, MemoryOptions.Default).Program.Program.ArenaBytes);

    /// <summary>Distinct candidates compiled so far.</summary>
    public int Compiled => bytes.Count;

    /// <summary>Compiles the candidates on all cores (the answers do not depend on the order).</summary>
    public void Prefetch(IEnumerable<Candidate> candidates) =>
        Parallel.ForEach(candidates.Distinct().ToList(), c => Bytes(c));
}
