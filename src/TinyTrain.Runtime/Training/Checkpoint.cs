using System.Security.Cryptography;
using System.Text;
using TinyTrain.Compiler.Lowered;

namespace TinyTrain.Runtime.Training;

/// <summary>
/// A training run's state on disk: the persistent tensors (trained parameters, optimiser state) and the position
/// (epoch, next step, running sums), tied to the program by a fingerprint of its state tensors and by the feature
/// rms its head was built with (<see cref="TrainingProgram.FeatureRms"/>: the same bytes mean other weights under
/// another one). Written to a temporary file and moved into place, so a kill never leaves a half-written checkpoint.
/// </summary>
public sealed record Checkpoint(int Epoch, int Step, int GlobalStep, double LossSum, int Correct, int Seen, IReadOnlyList<EpochResult> History)
{
    /// <summary>Format 2 added the feature rms after the fingerprint.</summary>
    private const string Magic = "TTCK2";

    private const string OldMagic = "TTCK1";

    public static string Fingerprint(Program program)
    {
        var text = new StringBuilder(program.Name);
        foreach (var t in program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent)) text.Append($"|{t.Name}:{t.DType}:{t.Bytes}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    public void Save(string path, Executor executor, double featureRms)
    {
        var temporary = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(Magic);
            writer.Write(Fingerprint(executor.Program));
            writer.Write(featureRms);
            writer.Write(Epoch);
            writer.Write(Step);
            writer.Write(GlobalStep);
            writer.Write(LossSum);
            writer.Write(Correct);
            writer.Write(Seen);
            writer.Write(History.Count);
            foreach (var e in History)
            {
                writer.Write(e.Epoch);
                writer.Write(e.Loss);
                writer.Write(e.TrainAccuracy);
                writer.Write(e.ValidationAccuracy ?? double.NaN);
                writer.Write(e.ImagesPerSecond);
                writer.Write(e.Seconds);
            }
            foreach (var t in executor.Program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent))
            {
                writer.Write(t.Bytes);
                writer.Write(executor.TensorBytes(t.Id));
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The epoch a checkpoint resumes at, without loading it (0 if it is unreadable).</summary>
    public static int PeekEpoch(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            return reader.ReadString() == Magic ? (reader.ReadString(), reader.ReadDouble(), reader.ReadInt32()).Item3 : 0;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return 0;
        }
    }

    /// <summary>The feature rms the checkpoint's head was built with, to compile its program again (export).</summary>
    public static double ReadFeatureRms(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            ReadMagic(reader, path);
            reader.ReadString();
            return ValidRms(reader.ReadDouble(), path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            throw new CheckpointException(path, e.Message, e);
        }
    }

    /// <summary>
    /// Reads a checkpoint into the executors; a checkpoint of another program, of a head built with another feature
    /// rms than <paramref name="featureRms"/>, or a damaged file is a one-line error.
    /// </summary>
    public static Checkpoint Load(string path, IReadOnlyList<Executor> executors, double featureRms)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            ReadMagic(reader, path);
            var program = executors[0].Program;
            if (reader.ReadString() != Fingerprint(program))
                throw new CheckpointException(path, $"it belongs to another model, scheme or optimiser than {program.Name}");
            var stored = ValidRms(reader.ReadDouble(), path);
            if (stored != featureRms)
                throw new CheckpointException(path, $"its head was built for features of rms {stored:R}, this run's are {featureRms:R} (other data, --limit, --val or --seed?)");
            var checkpoint = new Checkpoint(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadDouble(), reader.ReadInt32(), reader.ReadInt32(), []);
            // Counts are believed only within what a run can reach.
            if (checkpoint.Epoch < 0 || checkpoint.Step < 0 || checkpoint.GlobalStep < 0 || checkpoint.Correct < 0 || checkpoint.Seen < checkpoint.Correct
                || !double.IsFinite(checkpoint.LossSum))
                throw new CheckpointException(path, "its position (epoch, step, sums) is damaged");
            var history = new List<EpochResult>();
            var entries = reader.ReadInt32();
            if (entries < 0 || entries > checkpoint.Epoch + 1) throw new CheckpointException(path, $"its history of {entries} epochs is damaged");
            for (var n = entries; n > 0; n--)
            {
                var (epoch, loss, train, validation, rate, seconds) = (reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
                history.Add(new EpochResult(epoch, loss, train, double.IsNaN(validation) ? null : validation, rate, seconds));
            }
            foreach (var t in program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent))
            {
                var length = reader.ReadInt32();
                if (length != t.Bytes) throw new CheckpointException(path, $"tensor {t.Name} is damaged");
                var bytes = reader.ReadBytes(length);
                if (bytes.Length != length) throw new CheckpointException(path, $"tensor {t.Name} is truncated");
                foreach (var executor in executors) executor.LoadState(t.Id, bytes);
            }
            return checkpoint with { History = history };
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            throw new CheckpointException(path, e.Message, e);
        }
    }

    private static void ReadMagic(BinaryReader reader, string path)
    {
        var magic = reader.ReadString();
        if (magic == OldMagic) throw new CheckpointException(path, "it was written by an older TinyTrain (format 1, without the head's feature rms); train again");
        if (magic != Magic) throw new CheckpointException(path, "not a TinyTrain checkpoint");
    }

    private static double ValidRms(double rms, string path) =>
        double.IsFinite(rms) && rms > 0 ? rms : throw new CheckpointException(path, $"its feature rms {rms} is damaged");
}

/// <summary>A checkpoint that cannot be resumed: "checkpoint 'path' cannot be resumed: reason".</summary>
public sealed class CheckpointException(string path, string reason, Exception? inner = null)
    : UserException(ErrorCode.Checkpoint, $"checkpoint '{path}' cannot be resumed: {reason}", inner);
