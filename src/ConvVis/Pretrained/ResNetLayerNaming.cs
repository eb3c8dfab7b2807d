using ConvVis.Onnx.Proto;

namespace ConvVis.Pretrained;

/// <summary>
/// Recognises a ResNet with basic blocks in an ONNX graph (stem Conv-BN-Relu-MaxPool, then blocks that
/// end in Add-Relu) and gives its layers torchvision-like names: <c>conv1, bn1, relu, maxpool</c>,
/// <c>layerS.B.conv1/bn1/relu1/conv2/bn2/relu2</c>, <c>layerS.B.downsample.0/1</c> and <c>avgpool</c>.
/// (torchvision reuses one <c>relu</c> module twice per block; here each ReLU is its own module, so the
/// one after the residual addition is <c>relu2</c>.) Returns an empty map when the graph does not match,
/// and the importer then falls back to names derived from the ONNX node names.
/// </summary>
internal static class ResNetLayerNaming
{
    public static IReadOnlyDictionary<string, string[]> Names(GraphProto graph)
    {
        var names = new Dictionary<string, string[]>();
        var nodes = graph.Nodes;
        static string Key(NodeProto n) => n.Name.Length > 0 ? n.Name : n.Outputs[0];

        int i = 0;
        string[] stem = { "Conv:conv1", "BatchNormalization:bn1", "Relu:relu", "MaxPool:maxpool" };
        foreach (var expected in stem)
        {
            var parts = expected.Split(':');
            if (i >= nodes.Count || nodes[i].OpType != parts[0]) return new Dictionary<string, string[]>();
            names[Key(nodes[i++])] = new[] { parts[1] };
        }

        var addOutputs = new HashSet<string>(nodes.Where(n => n.OpType == "Add").Select(n => n.Outputs[0]));
        int stage = 0, block = 0;
        while (i < nodes.Count && nodes[i].OpType is "Conv" or "BatchNormalization" or "Relu" or "Add")
        {
            // One block: up to and including the Relu that reads an Add.
            var blockNodes = new List<NodeProto>();
            while (i < nodes.Count)
            {
                var n = nodes[i++];
                blockNodes.Add(n);
                if (n.OpType == "Relu" && addOutputs.Contains(n.Inputs[0])) break;
            }
            bool downsample = blockNodes.Any(IsPointwiseConv);
            if (stage == 0 || downsample) { stage++; block = 0; } else block++;
            string prefix = $"layer{stage}";
            string index = block.ToString(System.Globalization.CultureInfo.InvariantCulture);

            var convName = new Dictionary<string, string>();   // conv output -> the BN's name
            int mainConvs = 0;
            foreach (var n in blockNodes)
            {
                string[]? path = n.OpType switch
                {
                    "Conv" when IsPointwiseConv(n) => new[] { prefix, index, "downsample", "0" },
                    "Conv" => new[] { prefix, index, "conv" + ++mainConvs },
                    "BatchNormalization" when convName.TryGetValue(n.Inputs[0], out var bn) => bn == "down"
                        ? new[] { prefix, index, "downsample", "1" } : new[] { prefix, index, bn },
                    "Relu" => new[] { prefix, index, addOutputs.Contains(n.Inputs[0]) ? "relu2" : "relu1" },
                    "Add" => Array.Empty<string>(),
                    _ => null,
                };
                if (path is null || mainConvs > 2) return new Dictionary<string, string[]>();
                if (n.OpType == "Conv") convName[n.Outputs[0]] = IsPointwiseConv(n) ? "down" : "bn" + mainConvs;
                if (path.Length > 0) names[Key(n)] = path;
            }
        }
        if (stage == 0) return new Dictionary<string, string[]>();
        for (; i < nodes.Count; i++)
            if (nodes[i].OpType is "AveragePool" or "GlobalAveragePool") names[Key(nodes[i])] = new[] { "avgpool" };
            else if (nodes[i].OpType == "Gemm") names[Key(nodes[i])] = new[] { "fc" };
        return names;
    }

    private static bool IsPointwiseConv(NodeProto n) =>
        n.OpType == "Conv" && n.Attributes.FirstOrDefault(a => a.Name == "kernel_shape") is { } k && k.Ints.All(v => v == 1);
}
