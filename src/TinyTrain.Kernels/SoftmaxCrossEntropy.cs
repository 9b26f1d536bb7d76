namespace TinyTrain.Kernels;

/// <summary>
/// The training loss (paper-notes §2.2): log-softmax and negative log-likelihood on fp32 logits (the float cast
/// of the int8 logits on the device, see <see cref="Dequantize"/>), float32 throughout.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// loss = log(sum_j exp(z_j - m)) - (z_label - m) with m = max z (no overflow, and exp(0) = 1 keeps the sum
    /// &gt;= 1); logitsGrad[i] = exp(z_i - m) / sum - [i == label], the gradient of the loss. logitsGrad may be
    /// logits itself (in place). Scalar, the sum left to right: the loss gradient feeds every update, and the C port
    /// computes exactly this.
    /// </summary>
    public static float Forward(ReadOnlySpan<float> logits, int label, Span<float> logitsGrad)
    {
        Validate(logits, label, logitsGrad);
        float max = logits[0];
        foreach (float logit in logits)
        {
            max = MathF.Max(max, logit);
        }

        float target = logits[label] - max; // read before an in-place gradient overwrites it
        float sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            float exp = MathF.Exp(logits[i] - max);
            logitsGrad[i] = exp;
            sum += exp;
        }

        for (int i = 0; i < logitsGrad.Length; i++)
        {
            logitsGrad[i] /= sum;
        }

        logitsGrad[label] -= 1f;
        return MathF.Log(sum) - target;
    }

    private static void Validate(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> logitsGrad)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("no logits", nameof(logits));
        }

        if (label < 0 || label >= logits.Length)
        {
            throw new ArgumentException($"label {label} is outside 0..{logits.Length - 1}", nameof(label));
        }

        Check.Length(logitsGrad, logits.Length, nameof(logitsGrad));
    }

    /// <summary>The predicted class: the index of the largest logit, the first one on ties.</summary>
    public static int Predict(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("no logits", nameof(logits));
        }

        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>real[i] = (float)(q[i] - zeroPoint) * scale: int8 logits to fp32 for the loss.</summary>
    public static void Dequantize(ReadOnlySpan<sbyte> q, float scale, int zeroPoint, Span<float> real)
    {
        Check.Int8(zeroPoint, nameof(zeroPoint));
        Check.Finite(scale, nameof(scale));
        Check.Length(real, q.Length, nameof(real));
        for (int i = 0; i < q.Length; i++)
        {
            real[i] = (float)(q[i] - zeroPoint) * scale;
        }
    }
}
