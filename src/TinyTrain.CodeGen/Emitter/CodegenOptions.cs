namespace TinyTrain.CodeGen.Emitter;

/// <summary>What a generated project is for: the names in its banners and the device it links for (SGD's momentum is the program's).</summary>
/// <param name="RamBytes">The SRAM of the linker script: the link fails when the arena, other statics and the stack do not fit.</param>
/// <param name="StackBytes">The stack reserve inside the RAM; the driver reports the peak it really used.</param>
public sealed record CodegenOptions(
    string ModelName,
    string Scheme,
    int FlashBytes = 1024 * 1024,
    int RamBytes = 256 * 1024,
    int StackBytes = 8 * 1024);
