namespace TinyTrain.Tests.CodeGen;

/// <summary>A fact that runs when arm-none-eabi-gcc is installed and is reported as skipped (not passed) when it is not.</summary>
public sealed class ArmGccFactAttribute : FactAttribute
{
    public ArmGccFactAttribute()
    {
        if (CToolchain.Find("arm-none-eabi-gcc") is null)
        {
            Skip = "arm-none-eabi-gcc is not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)";
        }
    }
}
