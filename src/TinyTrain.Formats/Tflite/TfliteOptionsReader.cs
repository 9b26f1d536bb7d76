namespace TinyTrain.Formats.Tflite;

/// <summary>Decodes the BuiltinOptions union of an Operator table.</summary>
internal static class TfliteOptionsReader
{
    public static (TfliteBuiltinOptionsType Type, TfliteOptions? Options) Read(FlatTable op)
    {
        var type = (TfliteBuiltinOptionsType)op.U8(OperatorF.BuiltinOptionsType);
        if (type == TfliteBuiltinOptionsType.None) return (type, null);
        FlatTable? table = op.Table(OperatorF.BuiltinOptions);
        if (table is not FlatTable t) return (type, null);
        return (type, Decode(type, t));
    }

    private static TfliteOptions? Decode(TfliteBuiltinOptionsType type, FlatTable t) => type switch
    {
        TfliteBuiltinOptionsType.Conv2DOptions => new TfliteConv2DOptions(
            Padding(t), t.I32(OptF.StrideW), t.I32(OptF.StrideH), Act(t, OptF.ConvActivation),
            t.I32(OptF.ConvDilationW, 1), t.I32(OptF.ConvDilationH, 1)),
        TfliteBuiltinOptionsType.DepthwiseConv2DOptions => new TfliteDepthwiseConv2DOptions(
            Padding(t), t.I32(OptF.StrideW), t.I32(OptF.StrideH), t.I32(OptF.DwDepthMultiplier),
            Act(t, OptF.DwActivation), t.I32(OptF.DwDilationW, 1), t.I32(OptF.DwDilationH, 1)),
        TfliteBuiltinOptionsType.Pool2DOptions => new TflitePool2DOptions(
            Padding(t), t.I32(OptF.StrideW), t.I32(OptF.StrideH), t.I32(OptF.PoolFilterW),
            t.I32(OptF.PoolFilterH), Act(t, OptF.PoolActivation)),
        TfliteBuiltinOptionsType.FullyConnectedOptions => new TfliteFullyConnectedOptions(
            Act(t, OptF.Activation0), WeightsFormat(t), t.Bool(OptF.FcKeepNumDims), t.Bool(OptF.FcAsymmetric)),
        TfliteBuiltinOptionsType.SoftmaxOptions => new TfliteSoftmaxOptions(t.F32(OptF.Beta)),
        TfliteBuiltinOptionsType.ConcatenationOptions => new TfliteConcatenationOptions(
            t.I32(OptF.ConcatAxis), Act(t, OptF.ConcatActivation)),
        TfliteBuiltinOptionsType.AddOptions => new TfliteAddOptions(
            Act(t, OptF.Activation0), t.Bool(OptF.PotScaleInt16, true)),
        TfliteBuiltinOptionsType.SubOptions => new TfliteSubOptions(
            Act(t, OptF.Activation0), t.Bool(OptF.PotScaleInt16, true)),
        TfliteBuiltinOptionsType.MulOptions => new TfliteMulOptions(Act(t, OptF.Activation0)),
        TfliteBuiltinOptionsType.ReshapeOptions => new TfliteReshapeOptions(t.Ints(OptF.NewShape)),
        TfliteBuiltinOptionsType.ReducerOptions => new TfliteReducerOptions(t.Bool(OptF.KeepDims)),
        TfliteBuiltinOptionsType.PadOptions => new TflitePadOptions(),
        TfliteBuiltinOptionsType.StridedSliceOptions => new TfliteStridedSliceOptions(t.I32(OptF.BeginMask), t.I32(OptF.EndMask),
            t.I32(OptF.EllipsisMask), t.I32(OptF.NewAxisMask), t.I32(OptF.ShrinkAxisMask), t.Bool(OptF.SliceOffset)),
        TfliteBuiltinOptionsType.ShapeOptions => new TfliteShapeOptions((TfliteTensorType)t.I8(OptF.ShapeOutType)),
        TfliteBuiltinOptionsType.PackOptions => new TflitePackOptions(t.I32(OptF.PackValuesCount), t.I32(OptF.PackAxis)),
        TfliteBuiltinOptionsType.UnidirectionalSequenceLSTMOptions => new TfliteUnidirectionalSequenceLstmOptions(
            Act(t, OptF.Activation0), t.F32(OptF.LstmCellClip), t.F32(OptF.LstmProjClip),
            t.Bool(OptF.LstmTimeMajor), t.Bool(OptF.LstmAsymmetric), t.Bool(OptF.LstmDiagonal)),
        _ => null,
    };

    private static TflitePadding Padding(FlatTable t)
    {
        byte v = t.U8(OptF.Padding);
        if (v > (byte)TflitePadding.Valid) throw t.View.Error(t.Where + ".padding", $"invalid Padding value {v}");
        return (TflitePadding)v;
    }

    private static TfliteActivation Act(FlatTable t, FieldId f)
    {
        byte v = t.U8(f);
        if (v > (byte)TfliteActivation.SignBit)
            throw t.View.Error($"{t.Where}.{f.Name}", $"invalid ActivationFunctionType value {v}");
        return (TfliteActivation)v;
    }

    private static TfliteWeightsFormat WeightsFormat(FlatTable t)
    {
        byte v = t.U8(OptF.FcWeightsFormat);
        if (v > (byte)TfliteWeightsFormat.Shuffled4x16Int8)
            throw t.View.Error(t.Where + ".weights_format", $"invalid FullyConnectedOptionsWeightsFormat value {v}");
        return (TfliteWeightsFormat)v;
    }
}
