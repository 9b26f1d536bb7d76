using TinyTrain.Ir;

namespace TinyTrain.Compiler.Autodiff;

/// <summary>The classifier that replaces the model's own for the new task.</summary>
public enum HeadKind
{
    /// <summary>An int8 op of the old classifier's kind (1x1 conv or fully connected): what runs on the device.</summary>
    Int8,

    /// <summary>An fp32 fully connected layer on the dequantised features (the paper's GPU simulation).</summary>
    Float,
}

/// <summary>How a training graph is built: the new head, quantisation-aware scaling and the update policy.</summary>
public sealed record TrainingOptions(int Classes, HeadKind Head = HeadKind.Int8, bool Qas = true, UpdatePolicy Policy = UpdatePolicy.Device)
{
    /// <summary>Weight scale of a fresh int8 head: weights of +-127 stand for +-0.5.</summary>
    public const double HeadWeightScale = 0.5 / 127;

    /// <summary>Output scale of a fresh int8 head: int8 logits cover +-16 in steps of 1/8.</summary>
    public const double HeadOutputScale = 0.125;

    /// <summary>
    /// The root mean square of one feature the new head reads, <c>sqrt(mean ||x||^2 / D)</c> of the dequantised
    /// features over training images (the runtime's <c>FeatureScale</c> measures it). The head works on
    /// <c>x / FeatureRms</c>: its int8 weight scale is <see cref="HeadWeightScale"/> / FeatureRms, and its weight step
    /// is that of SGD on the normalised features, so one step moves a logit by about <c>lr * D * g</c> whatever the
    /// backbone's activation scale (which differs a thousandfold between models). 1 leaves the head as it was.
    /// </summary>
    public double FeatureRms
    {
        get;
        init => field = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(FeatureRms), value, "must be positive and finite");
    } = 1;
}
