namespace TinyTrain.Runtime;

/// <summary>Which kernel implementation the executor calls.</summary>
public enum KernelVariant
{
    /// <summary>The vectorised kernels where the hardware accelerates them, else the reference.</summary>
    Auto,

    /// <summary>The plain-loop reference kernels: the spec.</summary>
    Reference,
}
