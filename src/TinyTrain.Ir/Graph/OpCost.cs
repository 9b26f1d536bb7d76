namespace TinyTrain.Ir;

/// <summary>Static cost of an op: multiply-accumulates of one forward pass and trainable parameter count.</summary>
public static class OpCost
{
    public static long Macs(Node node) => node.Kind switch
    {
        OpKind.Conv2D => node.Shape.Elements / node.Shape[0] * node.Input(1).Shape[1] * node.Input(1).Shape[2] * node.Input(1).Shape[3],
        OpKind.DepthwiseConv2D => node.Shape.Elements / node.Shape[0] * node.Input(1).Shape[1] * node.Input(1).Shape[2],
        OpKind.FullyConnected => node.Input(1).Shape.Elements * node.Shape[0],
        _ => 0,
    };

    public static long Params(Node node) => OpTraits.IsConvLike(node.Kind)
        ? node.Input(1).Shape.Elements + (node.OptionalInput(2)?.Shape.Elements ?? 0)
        : 0;
}
