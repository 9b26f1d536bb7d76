using TinyTrain.Formats;
using TinyTrain.Ir;

namespace TinyTrain.Tests.Compiler.Sparse;

/// <summary>The paper's backbones and a .tflite model, each loaded once for the sparse-update tests.</summary>
internal static class SparseModels
{
    private static readonly Dictionary<string, Lazy<Graph>> Cache = new()
    {
        ["mcunet-5fps"] = Paper("mcunet-5fps"),
        ["mbv2-w0.35"] = Paper("mbv2-w0.35"),
        ["proxyless-w0.3"] = Paper("proxyless-w0.3"),
        ["vww"] = new(() => ModelLoader.Load(TestData.Path("mlperf-tiny", "vww_96_int8.tflite"))),
    };

    public static Graph Get(string name) => Cache[name].Value;

    public static Graph Mcunet => Get("mcunet-5fps");

    private static Lazy<Graph> Paper(string name) =>
        new(() => ModelLoader.Load(TestData.Path("tiny-training", "mcu_models", name + ".pkl")));
}
