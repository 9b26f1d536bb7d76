using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class AddBackwardTests
{
    /// <summary>The add's gradient rule: the masked output gradient times 1 (fp32) for each input, a RequantGrad.</summary>
    [Fact]
    public void FiniteDifferences_MatchFloatAddGradients()
    {
        var random = new Random(11);
        var a = GradientCheck.Floats(random, 40);
        var b = GradientCheck.Floats(random, 40);
        var r = GradientCheck.Floats(random, 40);
        var output = new float[40];
        Add.ForwardFloat(a, b, output, float.NegativeInfinity, float.PositiveInfinity);
        var (min, max) = GradientCheck.SafeRange(output, 2 * GradientCheck.Eps);
        var mask = new byte[ClampMask.ByteLength(40)];
        Add.ForwardFloatWithMask(a, b, output, min, max, mask);
        var gradA = new float[40];
        var gradB = new float[40];
        KernelSet.Fast.AccumulatorGrad(r, mask, [1f], 1, gradA);
        KernelSet.Fast.AccumulatorGrad(r, mask, [1f], 1, gradB);

        double Loss()
        {
            Add.ForwardFloat(a, b, output, min, max);
            return GradientCheck.Dot(r, output);
        }

        GradientCheck.AssertMatches(a, gradA, Loss, "a");
        GradientCheck.AssertMatches(b, gradB, Loss, "b");
        Assert.Contains(gradA, g => g == 0);
    }
}
