namespace TinyTrain.CodeGen.Device;

/// <summary>A device build or run that failed for a reason the user can act on (a missing tool, a program that does not fit).</summary>
public sealed class DeviceToolException(string message) : UserException(ErrorCode.Device, message);
