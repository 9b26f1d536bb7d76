namespace TinyTrain.Tests.CodeGen;

/// <summary>
/// Every C kernel of the runtime against the C# reference kernel it ports, on seeded random cases: the bytes the
/// C writes (int8 outputs, masks, fp32 gradients, updated parameters and optimiser state) must equal the C#'s.
/// </summary>
public class CKernelParityTests(CKernelDriverFixture fixture) : IClassFixture<CKernelDriverFixture>
{
    private void AssertParity(IEnumerable<CKernelCase> cases) => fixture.Driver.AssertMatches([.. cases]);

    [Fact]
    public void Conv2D_forward_int8_with_and_without_mask_matches() => AssertParity(CKernelCases.Conv2DForward(seed: 1, count: 80));

    [Fact]
    public void Layer_sized_conv_and_depthwise_forwards_match() => AssertParity(CKernelCases.LargeConvolutions(seed: 19, count: 24));

    [Fact]
    public void Gathered_input_gradients_match_the_scatter() => AssertParity(CKernelCases.LargeInputGrads(seed: 21, count: 24));

    [Fact]
    public void ConvDepthwise_matches_the_conv_and_then_the_depthwise_conv() => AssertParity(CKernelCases.ConvDepthwiseForward(seed: 20, count: 24));

    [Fact]
    public void Conv2D_input_and_filter_gradients_match() => AssertParity(CKernelCases.Conv2DBackward(seed: 2, count: 60));

    [Fact]
    public void Conv2D_forward_fp32_matches() => AssertParity(CKernelCases.Conv2DForwardFloat(seed: 3, count: 40));

    [Fact]
    public void DepthwiseConv2D_forward_int8_with_and_without_mask_matches() => AssertParity(CKernelCases.DepthwiseConv2DForward(seed: 4, count: 80));

    [Fact]
    public void DepthwiseConv2D_input_and_filter_gradients_match() => AssertParity(CKernelCases.DepthwiseConv2DBackward(seed: 5, count: 60));

    [Fact]
    public void DepthwiseConv2D_forward_fp32_matches() => AssertParity(CKernelCases.DepthwiseConv2DForwardFloat(seed: 6, count: 40));

    [Fact]
    public void FullyConnected_forward_int8_with_and_without_mask_matches() => AssertParity(CKernelCases.FullyConnectedForward(seed: 7, count: 60));

    [Fact]
    public void FullyConnected_input_and_filter_gradients_match() => AssertParity(CKernelCases.FullyConnectedBackward(seed: 8, count: 40));

    [Fact]
    public void FullyConnected_forward_fp32_matches() => AssertParity(CKernelCases.FullyConnectedForwardFloat(seed: 9, count: 30));

    [Fact]
    public void Add_forward_int8_and_fp32_match() => AssertParity(CKernelCases.AddForward(seed: 10, count: 60));

    [Fact]
    public void AveragePool2D_forward_backward_and_fp32_match() => AssertParity(CKernelCases.Pooling(seed: 11, count: 60));

    [Fact]
    public void MaxPool2D_forwards_and_backwards_int8_and_fp32_match() => AssertParity(CKernelCases.MaxPooling(seed: 23, count: 80));

    [Fact]
    public void Mean_softmax_and_pad_match() => AssertParity(CKernelCases.MeanSoftmaxPad(seed: 12, count: 40));

    [Fact]
    public void Requant_bias_and_elementwise_gradients_match() => AssertParity(CKernelCases.GradientPlumbing(seed: 13, count: 40));

    [Fact]
    public void Softmax_cross_entropy_dequantize_and_predict_match() => AssertParity(CKernelCases.Loss(seed: 14, count: 45));

    [Fact]
    public void Sgd_rounding_of_master_copies_matches() => AssertParity(CKernelCases.SgdRounding(seed: 15, count: 40));

    [Fact]
    public void Sgd_slice_updates_match_on_every_layout() => AssertParity(CKernelCases.SgdSlices(seed: 16, count: 60));

    [Fact]
    public void Slice_merges_match() => AssertParity(CKernelCases.SliceMerges(seed: 18, count: 40));

    [Fact]
    public void FixedPoint_primitives_match_including_edges() => AssertParity(CKernelCases.FixedPointPrimitives(seed: 17, count: 2000));
}
