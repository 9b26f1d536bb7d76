namespace TinyTrain.Formats.Tflite;

// Field ids of the subset of tensorflow/lite/schema/schema.fbs that we read. A field's id is its
// declaration index in the table (deprecated fields still count); a union field takes two ids,
// "<name>_type" (ubyte) and then the value offset. Vtable slot = 4 + 2 * id.

internal static class ModelF
{
    public static readonly FieldId Version = new(0, "version");               // uint
    public static readonly FieldId OperatorCodes = new(1, "operator_codes");  // [OperatorCode]
    public static readonly FieldId Subgraphs = new(2, "subgraphs");           // [SubGraph]
    public static readonly FieldId Description = new(3, "description");       // string
    public static readonly FieldId Buffers = new(4, "buffers");               // [Buffer]
}

internal static class OperatorCodeF
{
    public static readonly FieldId DeprecatedBuiltinCode = new(0, "deprecated_builtin_code"); // byte
    public static readonly FieldId CustomCode = new(1, "custom_code");                         // string
    public static readonly FieldId Version = new(2, "version");                                // int = 1
    public static readonly FieldId BuiltinCode = new(3, "builtin_code");                       // BuiltinOperator (int)
}

internal static class SubGraphF
{
    public static readonly FieldId Tensors = new(0, "tensors");
    public static readonly FieldId Inputs = new(1, "inputs");
    public static readonly FieldId Outputs = new(2, "outputs");
    public static readonly FieldId Operators = new(3, "operators");
    public static readonly FieldId Name = new(4, "name");
}

internal static class TensorF
{
    public static readonly FieldId Shape = new(0, "shape");                 // [int]
    public static readonly FieldId Type = new(1, "type");                   // TensorType (byte)
    public static readonly FieldId Buffer = new(2, "buffer");               // uint
    public static readonly FieldId Name = new(3, "name");                   // string
    public static readonly FieldId Quantization = new(4, "quantization");   // QuantizationParameters
    public static readonly FieldId IsVariable = new(5, "is_variable");      // bool
    public static readonly FieldId Sparsity = new(6, "sparsity");           // SparsityParameters
    public static readonly FieldId ShapeSignature = new(7, "shape_signature"); // [int]
}

internal static class QuantizationF
{
    public static readonly FieldId Min = new(0, "min");
    public static readonly FieldId Max = new(1, "max");
    public static readonly FieldId Scale = new(2, "scale");                 // [float]
    public static readonly FieldId ZeroPoint = new(3, "zero_point");        // [long]
    public static readonly FieldId DetailsType = new(4, "details_type");    // union QuantizationDetails
    public static readonly FieldId Details = new(5, "details");
    public static readonly FieldId QuantizedDimension = new(6, "quantized_dimension"); // int
}

internal static class OperatorF
{
    public static readonly FieldId OpcodeIndex = new(0, "opcode_index");    // uint
    public static readonly FieldId Inputs = new(1, "inputs");
    public static readonly FieldId Outputs = new(2, "outputs");
    public static readonly FieldId BuiltinOptionsType = new(3, "builtin_options_type"); // union BuiltinOptions
    public static readonly FieldId BuiltinOptions = new(4, "builtin_options");
    public static readonly FieldId CustomOptions = new(5, "custom_options");            // [ubyte]
    public static readonly FieldId CustomOptionsFormat = new(6, "custom_options_format");
    public static readonly FieldId MutatingVariableInputs = new(7, "mutating_variable_inputs");
    public static readonly FieldId Intermediates = new(8, "intermediates");             // [int]
    public static readonly FieldId LargeCustomOptionsOffset = new(9, "large_custom_options_offset"); // ulong
    public static readonly FieldId LargeCustomOptionsSize = new(10, "large_custom_options_size");    // ulong
    public static readonly FieldId BuiltinOptions2Type = new(11, "builtin_options_2_type");          // union BuiltinOptions2
}

internal static class BufferF
{
    public static readonly FieldId Data = new(0, "data");      // [ubyte]
    public static readonly FieldId Offset = new(1, "offset");  // ulong, from file start, valid if > 1
    public static readonly FieldId Size = new(2, "size");      // ulong
}

/// <summary>Option tables: ids of each table's fields in declaration order.</summary>
internal static class OptF
{
    public static readonly FieldId Padding = new(0, "padding");
    public static readonly FieldId StrideW = new(1, "stride_w");
    public static readonly FieldId StrideH = new(2, "stride_h");
    // Conv2DOptions: padding, stride_w, stride_h, fused_activation_function, dilation_w_factor, dilation_h_factor
    public static readonly FieldId ConvActivation = new(3, "fused_activation_function");
    public static readonly FieldId ConvDilationW = new(4, "dilation_w_factor");
    public static readonly FieldId ConvDilationH = new(5, "dilation_h_factor");
    // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, fused_activation_function, dilation w, h
    public static readonly FieldId DwDepthMultiplier = new(3, "depth_multiplier");
    public static readonly FieldId DwActivation = new(4, "fused_activation_function");
    public static readonly FieldId DwDilationW = new(5, "dilation_w_factor");
    public static readonly FieldId DwDilationH = new(6, "dilation_h_factor");
    // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function
    public static readonly FieldId PoolFilterW = new(3, "filter_width");
    public static readonly FieldId PoolFilterH = new(4, "filter_height");
    public static readonly FieldId PoolActivation = new(5, "fused_activation_function");
    // FullyConnectedOptions: fused_activation_function, weights_format, keep_num_dims, asymmetric_quantize_inputs
    public static readonly FieldId Activation0 = new(0, "fused_activation_function"); // also Add/Sub/Mul field 0
    public static readonly FieldId FcWeightsFormat = new(1, "weights_format");
    public static readonly FieldId FcKeepNumDims = new(2, "keep_num_dims");
    public static readonly FieldId FcAsymmetric = new(3, "asymmetric_quantize_inputs");
    // AddOptions / SubOptions: fused_activation_function, pot_scale_int16 (= true)
    public static readonly FieldId PotScaleInt16 = new(1, "pot_scale_int16");
    // SoftmaxOptions: beta
    public static readonly FieldId Beta = new(0, "beta");
    // ConcatenationOptions: axis, fused_activation_function
    public static readonly FieldId ConcatAxis = new(0, "axis");
    public static readonly FieldId ConcatActivation = new(1, "fused_activation_function");
    // ReshapeOptions: new_shape
    public static readonly FieldId NewShape = new(0, "new_shape");
    // ReducerOptions: keep_dims
    public static readonly FieldId KeepDims = new(0, "keep_dims");
    // StridedSliceOptions: begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask, offset
    public static readonly FieldId BeginMask = new(0, "begin_mask");
    public static readonly FieldId EndMask = new(1, "end_mask");
    public static readonly FieldId EllipsisMask = new(2, "ellipsis_mask");
    public static readonly FieldId NewAxisMask = new(3, "new_axis_mask");
    public static readonly FieldId ShrinkAxisMask = new(4, "shrink_axis_mask");
    public static readonly FieldId SliceOffset = new(5, "offset");
    // ShapeOptions: out_type
    public static readonly FieldId ShapeOutType = new(0, "out_type");
    // PackOptions: values_count, axis
    public static readonly FieldId PackValuesCount = new(0, "values_count");
    public static readonly FieldId PackAxis = new(1, "axis");
    // UnidirectionalSequenceLSTMOptions: fused_activation_function, cell_clip, proj_clip, time_major,
    // asymmetric_quantize_inputs, diagonal_recurrent_tensors
    public static readonly FieldId LstmCellClip = new(1, "cell_clip");
    public static readonly FieldId LstmProjClip = new(2, "proj_clip");
    public static readonly FieldId LstmTimeMajor = new(3, "time_major");
    public static readonly FieldId LstmAsymmetric = new(4, "asymmetric_quantize_inputs");
    public static readonly FieldId LstmDiagonal = new(5, "diagonal_recurrent_tensors");
}
