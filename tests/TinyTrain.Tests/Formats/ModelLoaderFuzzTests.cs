using TinyTrain.Compiler;
using TinyTrain.Compiler.Lowering;
using TinyTrain.Formats;

namespace TinyTrain.Tests.Formats;

/// <summary>
/// Corrupt model files, through the whole import path (reader, importer, lowering): each mutation either
/// loads or ends in a one-line <see cref="ModelFormatException"/> naming the file. Never a crash or a hang.
/// </summary>
public class ModelLoaderFuzzTests
{
    [Theory]
    [InlineData("tflite-micro/hello_world/hello_world_int8.tflite", 1000)]
    [InlineData("tflite-micro/person_detection/person_detect.tflite", 1000)]
    [InlineData("tiny-training/mcu_models/mbv2-w0.35.pkl", 1000)]
    public async Task Mutated_models_load_or_fail_with_one_line(string relative, int mutations)
    {
        var original = File.ReadAllBytes(TestData.Path(relative.Split('/')));
        var random = new Random(relative.Length * 7919);
        var dir = Directory.CreateTempSubdirectory("tinytrain-fuzz");
        try
        {
            var path = Path.Combine(dir.FullName, Path.GetFileName(relative));
            int loaded = 0, rejected = 0;
            for (var i = 0; i < mutations; i++)
            {
                File.WriteAllBytes(path, Mutate(original, random));
                Exception? error = null;
                var attempt = Task.Run(() =>
                {
                    var graph = ModelLoader.Load(path);
                    InferenceLowering.Lower(graph);
                });
                try
                {
                    await attempt.WaitAsync(TimeSpan.FromSeconds(20));
                    loaded++;
                    continue;
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"mutation {i} of {relative} hung");
                }
                catch (Exception e)
                {
                    error = e;
                }
                Assert.True(error is ModelFormatException or CompilationException, $"mutation {i} of {relative}: {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
                Assert.DoesNotContain('\n', error!.Message);
                Assert.Contains(Path.GetFileNameWithoutExtension(relative), error.Message);
                rejected++;
            }
            Assert.True(rejected > mutations / 10, $"only {rejected} of {mutations} mutations were rejected; the mutator is too gentle");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Empty_and_unknown_files_are_rejected_by_name()
    {
        var dir = Directory.CreateTempSubdirectory("tinytrain-bad");
        try
        {
            var empty = Path.Combine(dir.FullName, "empty.tflite");
            File.WriteAllBytes(empty, []);
            Assert.Contains("empty.tflite", Assert.Throws<ModelFormatException>(() => ModelLoader.Load(empty)).Message);
            var text = Path.Combine(dir.FullName, "notes.txt");
            File.WriteAllText(text, "hello, not a model");
            Assert.Contains("notes.txt", Assert.Throws<ModelFormatException>(() => ModelLoader.Load(text)).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0: // flip a few bytes
                for (var k = random.Next(1, 9); k > 0; k--) data[random.Next(data.Length)] ^= (byte)random.Next(1, 256);
                return data;
            case 1: // truncate
                return data[..random.Next(data.Length)];
            case 2: // overwrite a 32-bit word (offsets, lengths, vtable entries)
                var at = random.Next(data.Length - 4);
                BitConverter.GetBytes(random.Next(4) == 0 ? int.MaxValue : random.Next()).CopyTo(data, at);
                return data;
            default: // insert junk
                var position = random.Next(data.Length);
                var junk = new byte[random.Next(1, 16)];
                random.NextBytes(junk);
                return [.. data[..position], .. junk, .. data[position..]];
        }
    }
}
