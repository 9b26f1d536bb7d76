namespace TinyTrain.Formats.Tflite;

/// <summary>Decoded builtin options of an operator (one record per supported schema options table).</summary>
public abstract record TfliteOptions;

/// <summary>Conv2DOptions. Dilations default to 1 when absent (schema default).</summary>
public sealed record TfliteConv2DOptions(
    TflitePadding Padding, int StrideW, int StrideH, TfliteActivation FusedActivation,
    int DilationWFactor, int DilationHFactor) : TfliteOptions;

/// <summary>DepthwiseConv2DOptions. Dilations default to 1 when absent (schema default).</summary>
public sealed record TfliteDepthwiseConv2DOptions(
    TflitePadding Padding, int StrideW, int StrideH, int DepthMultiplier, TfliteActivation FusedActivation,
    int DilationWFactor, int DilationHFactor) : TfliteOptions;

/// <summary>Pool2DOptions (AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D).</summary>
public sealed record TflitePool2DOptions(
    TflitePadding Padding, int StrideW, int StrideH, int FilterWidth, int FilterHeight,
    TfliteActivation FusedActivation) : TfliteOptions;

/// <summary>FullyConnectedOptions.</summary>
public sealed record TfliteFullyConnectedOptions(
    TfliteActivation FusedActivation, TfliteWeightsFormat WeightsFormat, bool KeepNumDims,
    bool AsymmetricQuantizeInputs) : TfliteOptions;

/// <summary>
/// SoftmaxOptions. The schema default for beta is 0.0; converters always write it (normally 1.0).
/// This is the value stored in the file, or 0 when the field is absent.
/// </summary>
public sealed record TfliteSoftmaxOptions(float Beta) : TfliteOptions;

/// <summary>ConcatenationOptions.</summary>
public sealed record TfliteConcatenationOptions(int Axis, TfliteActivation FusedActivation) : TfliteOptions;

/// <summary>AddOptions (pot_scale_int16 defaults to true).</summary>
public sealed record TfliteAddOptions(TfliteActivation FusedActivation, bool PotScaleInt16) : TfliteOptions;

/// <summary>SubOptions (pot_scale_int16 defaults to true).</summary>
public sealed record TfliteSubOptions(TfliteActivation FusedActivation, bool PotScaleInt16) : TfliteOptions;

/// <summary>MulOptions.</summary>
public sealed record TfliteMulOptions(TfliteActivation FusedActivation) : TfliteOptions;

/// <summary>ReshapeOptions. NewShape is null when absent (the shape then comes from the second input).</summary>
public sealed record TfliteReshapeOptions(int[]? NewShape) : TfliteOptions;

/// <summary>ReducerOptions (MEAN, SUM, REDUCE_MAX, ...).</summary>
public sealed record TfliteReducerOptions(bool KeepDims) : TfliteOptions;

/// <summary>PadOptions (no fields).</summary>
public sealed record TflitePadOptions : TfliteOptions;

/// <summary>StridedSliceOptions: bit i of a mask applies to axis i.</summary>
public sealed record TfliteStridedSliceOptions(int BeginMask, int EndMask, int EllipsisMask, int NewAxisMask, int ShrinkAxisMask, bool Offset) : TfliteOptions;

public sealed record TfliteShapeOptions(TfliteTensorType OutType) : TfliteOptions;

public sealed record TflitePackOptions(int ValuesCount, int Axis) : TfliteOptions;

/// <summary>UnidirectionalSequenceLSTMOptions. Clips of 0 mean no clipping.</summary>
public sealed record TfliteUnidirectionalSequenceLstmOptions(
    TfliteActivation FusedActivation, float CellClip, float ProjClip, bool TimeMajor,
    bool AsymmetricQuantizeInputs, bool DiagonalRecurrentTensors) : TfliteOptions;
