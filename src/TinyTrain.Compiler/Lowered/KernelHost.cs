using System.Collections.Immutable;
using TinyTrain.Kernels;

namespace TinyTrain.Compiler.Lowered;

/// <summary>
/// What a call's host binding runs on: the program's tensors as spans (an absent optional tensor, id -1, reads as an
/// empty span), the kernel set chosen once, and the optimiser steps the host owns (policy, momentum, host batches).
/// </summary>
public interface IKernelHost
{
    KernelSet Kernels { get; }

    /// <summary>The current call's filter packed ahead of time, when the kernel set packs it.</summary>
    object? Packed { get; }

    ReadOnlySpan<byte> Bytes(int id);
    Span<byte> WritableBytes(int id);
    ReadOnlySpan<sbyte> SBytes(int id);
    Span<sbyte> WritableSBytes(int id);
    ReadOnlySpan<int> Int32s(int id);
    ReadOnlySpan<float> Floats(int id);
    Span<float> WritableFloats(int id);

    void Update(SgdUpdateCall call);
    void FusedUpdate(FusedUpdateCall call);
}

/// <summary>
/// What a call's C binding writes with: tensors by their C names (NULL when absent), parameters and arrays as const
/// data of the model file, and the optimiser steps the emitter writes out.
/// </summary>
public interface ICallEmitter
{
    string Tensor(int id);

    /// <summary>A pointer to the const struct of a kernel's parameters.</summary>
    string Params(object parameters, string suffix = "");

    string Ints(ImmutableArray<int> values, string suffix);
    string Floats(ImmutableArray<float> values, string suffix);

    /// <summary>Elements of a float tensor, and bytes of any.</summary>
    int FloatCount(int id);
    int ByteCount(int id);

    string Update(SgdUpdateCall call);
    string FusedUpdate(FusedUpdateCall call);
}
