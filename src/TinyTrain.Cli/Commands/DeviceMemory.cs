using System.CommandLine;
using TinyTrain.CodeGen.Emitter;

namespace TinyTrain.Cli.Commands;

/// <summary>--ram and --flash: the microcontroller's memories, which the generated linker script declares and the build must fit.</summary>
public sealed class DeviceMemory : OptionGroup
{
    public Option<string> Ram { get; } = new("--ram") { DefaultValueFactory = _ => "256KB", Description = "SRAM of the device (the linker script's RAM)" };

    public Option<string> Flash { get; } = new("--flash") { DefaultValueFactory = _ => "1MB", Description = "Flash of the device (the linker script's FLASH)" };

    public override IEnumerable<Symbol> Symbols => [Ram, Flash];

    /// <summary>The C project's options: a model's training step for this device.</summary>
    public CodegenOptions Codegen(ParseResult parse, string model, string scheme) =>
        new(model, scheme, FlashBytes: checked((int)Bytes.Parse(parse.GetValue(Flash)!)), RamBytes: checked((int)Bytes.Parse(parse.GetValue(Ram)!)));
}
