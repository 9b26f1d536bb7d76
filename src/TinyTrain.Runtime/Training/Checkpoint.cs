using System.Security.Cryptography;
using System.Text;
using TinyTrain.Compiler.Lowered;

namespace TinyTrain.Runtime.Training;

/// <summary>
/// A training run's state on disk: the persistent tensors (trained parameters, optimiser state) and the position
/// (epoch, next step, running sums), tied to the program by a fingerprint of its state tensors. Written to a
/// temporary file and moved into place, so a kill never leaves a half-written checkpoint.
/// </summary>
public sealed record Checkpoint(int Epoch, int Step, int GlobalStep, double LossSum, int Correct, int Seen, IReadOnlyList<EpochResult> History)
{
    private const string Magic = "TTCK1";

    public static string Fingerprint(Program program)
    {
        var text = new StringBuilder(program.Name);
        foreach (var t in program.Tensors.Where(t => t.Placement == TensorPlacement.Persistent)) text.Append($"|{t.Name}:{t.DType}:{t.Bytes}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    public void Save(string path, Executor executor)
    {
        var temporary = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(Magic);
            writer.Write(Fingerprint(executor.Program));
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
            return reader.ReadString() == Magic ? (reader.ReadString(), reader.ReadInt32()).Item2 : 0;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return 0;
        }
    }

    /// <summary>Reads a checkpoint into the executors; a checkpoint of another program or a damaged file is a one-line error.</summary>
    public static Checkpoint Load(string path, IReadOnlyList<Executor> executors)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != Magic) throw new CheckpointException(path, "not a TinyTrain checkpoint");
            var program = executors[0].Program;
            if (reader.ReadString() != Fingerprint(program))
                throw new CheckpointException(path, $"it belongs to another model, scheme or optimiser than {program.Name}");
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
}

/// <summary>A checkpoint that cannot be resumed: "checkpoint 'path' cannot be resumed: reason".</summary>
public sealed class CheckpointException(string path, string reason, Exception? inner = null)
    : UserException(ErrorCode.Checkpoint, $"checkpoint '{path}' cannot be resumed: {reason}", inner);
