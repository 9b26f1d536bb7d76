namespace TinyTrain.Runtime.Training;

/// <summary>Linear warm-up from 0 over the first steps, then cosine decay to 0 (paper-notes §2.4), per step.</summary>
public sealed record LearningRateSchedule(float Peak, int WarmupSteps, int TotalSteps)
{
    public float At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        var decay = TotalSteps - WarmupSteps;
        if (decay <= 0) return Peak;
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / decay);
        return (float)(Peak * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
