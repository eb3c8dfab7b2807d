using static ConvVis.Tests.Fixtures.CaptureNets;

namespace ConvVis.Tests.Capture;

public class ModelLayersTests
{
    [Fact]
    public void LeavesAreTheModulesWithoutChildrenInModelOrder()
    {
        using var net = new TinyResNet();
        var leaves = ModelLayers.Leaves(net).Select(l => l.Name).ToList();
        Assert.Equal(
            ["conv1", "bn1", "relu",
             "layer1.0.conv1", "layer1.0.bn1", "layer1.0.relu", "layer1.0.conv2", "layer1.0.bn2",
             "layer1.1.conv1", "layer1.1.bn1", "layer1.1.relu", "layer1.1.conv2", "layer1.1.bn2",
             "layer2.0.conv1", "layer2.0.bn1", "layer2.0.relu", "layer2.0.conv2", "layer2.0.bn2",
             "layer2.0.downsample.0", "layer2.0.downsample.1",
             "avgpool", "flatten", "fc"], leaves);
    }

    [Fact]
    public void AModelWithoutChildrenIsItsOwnLeaf()
    {
        using var conv = TorchSharp.torch.nn.Conv2d(1, 1, 3);
        var leaf = Assert.Single(ModelLayers.Leaves(conv));
        Assert.Equal("", leaf.Name);
        Assert.Same(conv, leaf.Module);
    }

    [Fact]
    public void GetFindsNestedModulesByDottedName()
    {
        using var net = new TinyResNet();
        var m = ModelLayers.Get(net, "layer2.0.downsample.0");
        Assert.Equal("Conv2d", ModelLayers.TypeName(m));
        Assert.Same(net, ModelLayers.Get(net, ""));
    }

    [Fact]
    public void GetNamesTheMissingLayerTheClosestMatchAndTheValidNames()
    {
        using var net = new SmallCnn();
        var e = Assert.Throws<ArgumentException>(() => ModelLayers.Get(net, "conv3"));
        Assert.Contains("no layer named 'conv3'", e.Message);
        Assert.Contains("Closest valid name: 'conv1'", e.Message); // conv1 and conv2 tie at distance 1; the first wins
        Assert.Contains("Valid names (8): conv1, relu1, pool1, conv2, relu2, pool2, flatten, fc.", e.Message);

        e = Assert.Throws<ArgumentException>(() => ModelLayers.Get(net, "flaten"));
        Assert.Contains("Closest valid name: 'flatten'", e.Message);
    }

    [Theory]
    [InlineData("conv1", "features.conv1")]
    [InlineData("relu", "features.relu")]
    [InlineData("fc", "head.fc")]
    [InlineData("features.conv", "features.conv1")]
    [InlineData("head", "head")]
    public void TheClosestNameOfANestedModelMatchesTrailingPathSegments(string wanted, string closest)
    {
        using var net = TorchSharp.torch.nn.Sequential(
            ("features", TorchSharp.torch.nn.Sequential(("conv1", TorchSharp.torch.nn.Conv2d(1, 2, 3)), ("relu", TorchSharp.torch.nn.ReLU()))),
            ("head", TorchSharp.torch.nn.Sequential(("flatten", TorchSharp.torch.nn.Flatten()), ("fc", TorchSharp.torch.nn.Linear(2, 2)))));
        var e = Assert.Throws<ArgumentException>(() => ModelLayers.Get(net, wanted + "x"));
        Assert.Contains($"Closest valid name: '{closest}'", e.Message);
    }

    [Fact]
    public void BigNetsGetATruncatedList()
    {
        using var net = TorchSharp.torch.nn.Sequential(Enumerable.Range(0, 100).Select(_ => (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)TorchSharp.torch.nn.ReLU()).ToArray());
        var e = Assert.Throws<ArgumentException>(() => ModelLayers.Get(net, "x"));
        Assert.Contains("Valid names (100): 0, 1, 2,", e.Message);
        Assert.Contains(", 39, ... and 60 more", e.Message);
        Assert.DoesNotContain(", 40,", e.Message);
    }

    [Fact]
    public void SelectByExactNameGlobAndType()
    {
        using var net = new TinyResNet();
        Assert.Equal(["layer1.0.relu"], Names(net, "layer1.0.relu"));
        Assert.Equal(["relu", "layer1.0.relu", "layer1.1.relu", "layer2.0.relu"], Names(net, "*relu"));
        Assert.Equal(["layer1.0.relu", "layer1.1.relu", "layer2.0.relu"], Names(net, "layer*.relu"));
        Assert.Equal(["layer1.0.conv1", "layer1.1.conv1"], Names(net, "layer1.?.conv1"));
        Assert.Equal(["layer2.0", "layer2.0.conv1", "layer2.0.bn1", "layer2.0.relu", "layer2.0.conv2", "layer2.0.bn2",
                      "layer2.0.downsample", "layer2.0.downsample.0", "layer2.0.downsample.1"], Names(net, "layer2.*"));
        Assert.Equal(["conv1", "layer1.0.conv1", "layer1.0.conv2", "layer1.1.conv1", "layer1.1.conv2",
                      "layer2.0.conv1", "layer2.0.conv2", "layer2.0.downsample.0"], Names(net, "Conv2d"));
        Assert.Equal(["relu", "layer1.0.relu", "layer1.1.relu", "layer2.0.relu"], Names(net, "rElU"));
        Assert.Equal(["layer1", "layer2", "layer2.0.downsample"], Names(net, "sequential"));
    }

    [Fact]
    public void AnExactNameWinsOverATypeName()
    {
        using var net = new TinyResNet();
        Assert.Equal(["relu"], Names(net, "relu"));
    }

    [Fact]
    public void SelectUnionsPatternsInModelOrderWithoutDuplicates()
    {
        using var net = new SmallCnn();
        Assert.Equal(["conv1", "relu1", "conv2", "relu2", "fc"], Names(net, "fc", "ReLU", "conv*", "conv1"));
    }

    [Fact]
    public void APatternMatchingNothingThrowsWithHints()
    {
        using var net = new SmallCnn();
        var e = Assert.Throws<ArgumentException>(() => ModelLayers.Select(net, "conv1", "layer*.relu"));
        Assert.Contains("No layer matches the glob 'layer*.relu'", e.Message);
        Assert.Contains("Module types in this model: Conv2d, ReLU, MaxPool2d, Flatten, Linear.", e.Message);
        Assert.Contains("Valid names (8):", e.Message);

        e = Assert.Throws<ArgumentException>(() => ModelLayers.Select(net, "BatchNorm2d"));
        Assert.Contains("No layer matches the name or type name 'BatchNorm2d'", e.Message);
        Assert.Contains("Closest valid name:", e.Message);
    }

    static List<string> Names(TorchSharp.torch.nn.Module model, params string[] patterns)
        => ModelLayers.Select(model, patterns).Select(p => p.Name).ToList();
}
