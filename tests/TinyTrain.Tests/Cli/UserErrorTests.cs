using TinyTrain.Cli;
using TinyTrain.Compiler;
using TinyTrain.Formats.Tflite;

namespace TinyTrain.Tests.Cli;

/// <summary>User errors are one type raised by explicit checks; any other exception is reported as our bug.</summary>
public sealed class UserErrorTests
{
    [Fact]
    public void Every_user_error_type_is_a_user_exception_with_its_code()
    {
        Assert.Equal(ErrorCode.Model, new TfliteFormatException("m.tflite: bad").Code);
        Assert.Equal(ErrorCode.Compilation, new CompilationException("x").Code);
        Assert.Equal(ErrorCode.Usage, new UsageException("x").Code);
        Assert.Equal(ErrorCode.Export, new TinyTrain.Formats.ExportException("x").Code);
        Assert.Equal(ErrorCode.Data, new TinyTrain.Data.DataFormatException("f.idx", "short").Code);
        Assert.Equal("m.tflite: bad line two", UserError.Describe(new TfliteFormatException("m.tflite: bad\nline two")));
    }

    [Theory]
    [InlineData(typeof(IndexOutOfRangeException))]
    [InlineData(typeof(KeyNotFoundException))]
    [InlineData(typeof(InvalidCastException))]
    [InlineData(typeof(ArgumentOutOfRangeException))]
    [InlineData(typeof(InvalidDataException))]
    public void A_framework_exception_is_not_disguised_as_a_user_error(Type type)
    {
        var e = (Exception)Activator.CreateInstance(type, "boom")!;
        Assert.Null(UserError.Describe(e));
        Assert.StartsWith("internal error (a bug in TinyTrain", UserError.Bug(e));
        Assert.Contains(type.Name, UserError.Bug(e));
    }

    [Fact]
    public void The_file_system_s_errors_name_the_path_in_one_line()
    {
        Assert.Equal("Could not find file '/nope'.", UserError.Describe(new FileNotFoundException("Could not find file '/nope'.")));
        Assert.NotNull(UserError.Describe(new IOException("No space left on device : '/x'")));
    }
}
