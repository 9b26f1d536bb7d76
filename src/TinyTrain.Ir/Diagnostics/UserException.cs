namespace TinyTrain;

/// <summary>What a user error is about: the part of the user's input that is wrong.</summary>
public enum ErrorCode
{
    /// <summary>A bad option or combination of options.</summary>
    Usage,

    /// <summary>A model file: corrupt, inconsistent, or using an op or feature we do not support.</summary>
    Model,

    /// <summary>A dataset, image or input tensor file.</summary>
    Data,

    /// <summary>A sparse-update scheme (its syntax, layers or budget).</summary>
    Scheme,

    /// <summary>A model and options that cannot be compiled (e.g. a tensor too large, scales that overflow).</summary>
    Compilation,

    /// <summary>A training run that diverged (NaN or infinite loss).</summary>
    Diverged,

    /// <summary>A checkpoint that cannot be resumed.</summary>
    Checkpoint,

    /// <summary>A model that cannot be written in the format asked for.</summary>
    Export,

    /// <summary>A device tool (compiler, QEMU) that is missing or failed.</summary>
    Device,
}

/// <summary>
/// The user's problem, not ours: raised by an explicit check, with a one-line reason that names the file, op or tensor
/// it is about. The CLI prints it as <c>tinytrain: &lt;reason&gt;</c>; any other exception reaching the CLI is our bug
/// (or the operating system's: a missing file, a full disk) and is reported as such.
/// </summary>
public abstract class UserException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;
}
