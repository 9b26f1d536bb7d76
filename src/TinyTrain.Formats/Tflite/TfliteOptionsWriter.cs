using Google.FlatBuffers;

namespace TinyTrain.Formats.Tflite;

/// <summary>Encodes the BuiltinOptions union member of an operator: the mirror of <see cref="TfliteOptionsReader"/>.</summary>
internal static class TfliteOptionsWriter
{
    public static int Write(FlatBufferBuilder b, TfliteOptions options)
    {
        switch (options)
        {
            case TfliteConv2DOptions o:
                b.StartTable(6);
                b.AddByte(OptF.Padding.Id, (byte)o.Padding, 0);
                b.AddInt(OptF.StrideW.Id, o.StrideW, 0);
                b.AddInt(OptF.StrideH.Id, o.StrideH, 0);
                b.AddByte(OptF.ConvActivation.Id, (byte)o.FusedActivation, 0);
                b.AddInt(OptF.ConvDilationW.Id, o.DilationWFactor, 1);
                b.AddInt(OptF.ConvDilationH.Id, o.DilationHFactor, 1);
                return b.EndTable();
            case TfliteDepthwiseConv2DOptions o:
                b.StartTable(7);
                b.AddByte(OptF.Padding.Id, (byte)o.Padding, 0);
                b.AddInt(OptF.StrideW.Id, o.StrideW, 0);
                b.AddInt(OptF.StrideH.Id, o.StrideH, 0);
                b.AddInt(OptF.DwDepthMultiplier.Id, o.DepthMultiplier, 0);
                b.AddByte(OptF.DwActivation.Id, (byte)o.FusedActivation, 0);
                b.AddInt(OptF.DwDilationW.Id, o.DilationWFactor, 1);
                b.AddInt(OptF.DwDilationH.Id, o.DilationHFactor, 1);
                return b.EndTable();
            case TflitePool2DOptions o:
                b.StartTable(6);
                b.AddByte(OptF.Padding.Id, (byte)o.Padding, 0);
                b.AddInt(OptF.StrideW.Id, o.StrideW, 0);
                b.AddInt(OptF.StrideH.Id, o.StrideH, 0);
                b.AddInt(OptF.PoolFilterW.Id, o.FilterWidth, 0);
                b.AddInt(OptF.PoolFilterH.Id, o.FilterHeight, 0);
                b.AddByte(OptF.PoolActivation.Id, (byte)o.FusedActivation, 0);
                return b.EndTable();
            case TfliteFullyConnectedOptions o:
                b.StartTable(4);
                b.AddByte(OptF.Activation0.Id, (byte)o.FusedActivation, 0);
                b.AddByte(OptF.FcWeightsFormat.Id, (byte)o.WeightsFormat, 0);
                b.AddBool(OptF.FcKeepNumDims.Id, o.KeepNumDims, false);
                b.AddBool(OptF.FcAsymmetric.Id, o.AsymmetricQuantizeInputs, false);
                return b.EndTable();
            case TfliteSoftmaxOptions o:
                b.StartTable(1);
                b.AddFloat(OptF.Beta.Id, o.Beta, 0f);
                return b.EndTable();
            case TfliteConcatenationOptions o:
                b.StartTable(2);
                b.AddInt(OptF.ConcatAxis.Id, o.Axis, 0);
                b.AddByte(OptF.ConcatActivation.Id, (byte)o.FusedActivation, 0);
                return b.EndTable();
            case TfliteAddOptions o:
                b.StartTable(2);
                b.AddByte(OptF.Activation0.Id, (byte)o.FusedActivation, 0);
                b.AddBool(OptF.PotScaleInt16.Id, o.PotScaleInt16, true);
                return b.EndTable();
            case TfliteSubOptions o:
                b.StartTable(2);
                b.AddByte(OptF.Activation0.Id, (byte)o.FusedActivation, 0);
                b.AddBool(OptF.PotScaleInt16.Id, o.PotScaleInt16, true);
                return b.EndTable();
            case TfliteMulOptions o:
                b.StartTable(1);
                b.AddByte(OptF.Activation0.Id, (byte)o.FusedActivation, 0);
                return b.EndTable();
            case TfliteReshapeOptions o:
            {
                var shape = o.NewShape is null ? 0 : TfliteWriter.Ints(b, o.NewShape);
                b.StartTable(1);
                if (shape != 0) b.AddOffset(OptF.NewShape.Id, shape, 0);
                return b.EndTable();
            }
            case TfliteReducerOptions o:
                b.StartTable(1);
                b.AddBool(OptF.KeepDims.Id, o.KeepDims, false);
                return b.EndTable();
            case TflitePadOptions:
                b.StartTable(0);
                return b.EndTable();
            case TfliteStridedSliceOptions o:
                b.StartTable(6);
                b.AddInt(OptF.BeginMask.Id, o.BeginMask, 0);
                b.AddInt(OptF.EndMask.Id, o.EndMask, 0);
                b.AddInt(OptF.EllipsisMask.Id, o.EllipsisMask, 0);
                b.AddInt(OptF.NewAxisMask.Id, o.NewAxisMask, 0);
                b.AddInt(OptF.ShrinkAxisMask.Id, o.ShrinkAxisMask, 0);
                b.AddBool(OptF.SliceOffset.Id, o.Offset, false);
                return b.EndTable();
            case TfliteShapeOptions o:
                b.StartTable(1);
                b.AddSbyte(OptF.ShapeOutType.Id, (sbyte)o.OutType, 0);
                return b.EndTable();
            case TflitePackOptions o:
                b.StartTable(2);
                b.AddInt(OptF.PackValuesCount.Id, o.ValuesCount, 0);
                b.AddInt(OptF.PackAxis.Id, o.Axis, 0);
                return b.EndTable();
            case TfliteUnidirectionalSequenceLstmOptions o:
                b.StartTable(6);
                b.AddByte(OptF.Activation0.Id, (byte)o.FusedActivation, 0);
                b.AddFloat(OptF.LstmCellClip.Id, o.CellClip, 0f);
                b.AddFloat(OptF.LstmProjClip.Id, o.ProjClip, 0f);
                b.AddBool(OptF.LstmTimeMajor.Id, o.TimeMajor, false);
                b.AddBool(OptF.LstmAsymmetric.Id, o.AsymmetricQuantizeInputs, false);
                b.AddBool(OptF.LstmDiagonal.Id, o.DiagonalRecurrentTensors, false);
                return b.EndTable();
            default:
                throw new InvalidOperationException($"no writer for {options.GetType().Name}");
        }
    }
}
