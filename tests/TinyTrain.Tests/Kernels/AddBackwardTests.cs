using TinyTrain.Kernels;

namespace TinyTrain.Tests.Kernels;

public class AddBackwardTests
{
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
        Add.BackwardFloat(r, mask, gradA, gradB);

        double Loss()
        {
            Add.ForwardFloat(a, b, output, min, max);
            return GradientCheck.Dot(r, output);
        }

        GradientCheck.AssertMatches(a, gradA, Loss, "a");
        GradientCheck.AssertMatches(b, gradB, Loss, "b");
        Assert.Contains(gradA, g => g == 0);
    }

    [Fact]
    public void Int8Backward_ScalesByTheFloatRatios_HandComputed()
    {
        // sa / so = 0.5 / 0.25 = 2, sb / so = 0.125 / 0.25 = 0.5; element 1 is masked out.
        var p = Add.CreateFloat(3, 0.5, 0, 0.125, 0, 0.25, 0, -128, 127);
        var gradA = new float[3];
        var gradB = new float[3];
        Add.Backward(p, [1, 2, -3], [0b101], gradA, gradB);
        Assert.Equal(new float[] { 2, 0, -6 }, gradA);
        Assert.Equal(new float[] { 0.5f, 0, -1.5f }, gradB);
    }

    [Fact]
    public void Int8Backward_RatiosAreOneFloat32DivisionEach()
    {
        // 0.1f / 0.3f in float32 differs from the double quotient rounded to float in general; check the float one.
        var p = Add.CreateFloat(1, 0.1, 0, 0.7, 0, 0.3, 0, -128, 127);
        var gradA = new float[1];
        var gradB = new float[1];
        Add.Backward(p, [1], [1], gradA, gradB);
        Assert.Equal(0.1f / 0.3f, gradA[0]);
        Assert.Equal(0.7f / 0.3f, gradB[0]);
    }

    [Fact]
    public void InPlace_GradAMayBeTheOutputGradient()
    {
        var p = Add.CreateFloat(5, 0.5, 0, 0.25, 0, 1.0, 0, -128, 127);
        float[] grad = [1, 2, 3, 4, 5];
        var gradB = new float[5];
        Add.Backward(p, grad, [0b11011], grad, gradB);
        Assert.Equal(new float[] { 0.5f, 1, 0, 2, 2.5f }, grad);
        Assert.Equal(new float[] { 0.25f, 0.5f, 0, 1, 1.25f }, gradB);
    }

    [Fact]
    public void FixedPointParams_UseTheStoredScales_AndParamsWithoutScalesAreNotSupported()
    {
        var p = Add.CreateFixedPoint(2, 0.5, 0, 0.25, 0, 1.0, 0, -128, 127);
        var gradA = new float[2];
        var gradB = new float[2];
        Add.Backward(p, [1, 1], [0b11], gradA, gradB);
        Assert.Equal(new float[] { 0.5f, 0.5f }, gradA);
        Assert.Equal(new float[] { 0.25f, 0.25f }, gradB);
        Assert.Throws<NotSupportedException>(() => Add.Backward(p with { ScaleOut = 0 }, [1, 1], [0b11], gradA, gradB));
        Assert.Throws<ArgumentException>(() => Add.Backward(p, [1, 1, 1], [0b11], gradA, gradB));
    }
}
