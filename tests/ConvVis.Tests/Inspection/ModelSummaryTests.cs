using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ConvVis.Tests.Capture;
using TorchSharp;
using TorchSharp.Modules;
using static ConvVis.Tests.Fixtures.CaptureNets;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis.Tests.Inspection;

public class ModelSummaryTests
{
    [Fact]
    public void SmallCnnTableMatchesTheGoldenFile()
    {
        using var net = new SmallCnn();
        var summary = ModelSummary.Of(net, [2, 1, 8, 8]);
        Assert.Equal(Golden("small-cnn.txt"), summary.ToString());
        Assert.Equal(net.parameters().Sum(p => p.numel()), summary.TotalParameters);
    }

    [Fact]
    public void ResNetBlocksTableMatchesTheGoldenFileWithAFrozenLayer()
    {
        using var net = new TinyResNet();
        ((Conv2d)ModelLayers.Get(net, "conv1")).weight.requires_grad = false;
        var summary = ModelSummary.Of(net, [1, 3, 16, 16]);
        Assert.Equal(Golden("tiny-resnet.txt"), summary.ToString());

        Assert.Equal(net.parameters().Sum(p => p.numel()), summary.TotalParameters);
        Assert.Equal(net.parameters().Where(p => p.requires_grad).Sum(p => p.numel()), summary.TrainableParameters);
        Assert.Equal(net.parameters().Sum(p => p.numel() * p.element_size()), summary.ParameterBytes);
        // Each module's own parameters, summed over rows, are the model's (no parameter is shared here).
        Assert.Equal(summary.TotalParameters, summary.Rows.Sum(r => r.Parameters));
        var block = summary.Rows.Single(r => r.Name == "layer2.0");
        Assert.Equal(ModelLayers.Get(net, "layer2.0").parameters().Sum(p => p.numel()), block.TotalParameters);
        Assert.Equal(4, summary.Rows.Single(r => r.Name == "layer2.0.downsample.1").Depth);
    }

    [Fact]
    public void ResNet18MatchesTorchinfosPublishedFigures()
    {
        // torchinfo.summary(torchvision.models.resnet18(), (1, 3, 224, 224)): Total params: 11,689,512,
        // Params size (MB): 46.76; layer1 [1, 64, 56, 56], layer4 [1, 512, 7, 7], fc [1, 1000].
        using var net = new ResNet18();
        var summary = ModelSummary.Of(net, [1, 3, 224, 224]);
        Assert.Equal(11_689_512, summary.TotalParameters);
        Assert.Equal(11_689_512, summary.TrainableParameters);
        Assert.Contains("Params size: 46,758,048 bytes (46.76 MB)", summary.ToString());
        Assert.Equal([1L, 64, 112, 112], Shape(summary, "conv1"));
        Assert.Equal([1L, 64, 56, 56], Shape(summary, "layer1"));
        Assert.Equal([1L, 512, 7, 7], Shape(summary, "layer4.1.bn2"));
        Assert.Equal([1L, 512, 1, 1], Shape(summary, "avgpool"));
        Assert.Equal([1L, 1000], Shape(summary, ""));
        Assert.Equal(2_359_296, summary.Rows.Single(r => r.Name == "layer4.1.conv2").Parameters); // 512*512*3*3
        Assert.Equal(1 + 67 + 1, summary.Rows.Count); // the model, torchvision resnet18's 67 submodules, and our Flatten module
    }

    static long[] Shape(ModelSummary s, string name) => s.Rows.Single(r => r.Name == name).OutputShape!;

    [Fact]
    public void WithoutAnInputShapeThereAreNoShapes()
    {
        using var net = new SmallCnn();
        var summary = ModelSummary.Of(net);
        Assert.All(summary.Rows, r => Assert.Null(r.OutputShape));
        Assert.Contains("├─Conv2d      conv1    --", summary.ToString());
        Assert.DoesNotContain("Input shape", summary.ToString());
    }

    [Fact]
    public void ShapesCanComeFromACaptureIncludingReusedModules()
    {
        using var net = Seeded(() => new ReusedAndBypassed());
        using var rec = ActivationRecorder.Attach(net, new CaptureOptions { MaxSamples = 1 }, "shared", "bypassed");
        using var x = randn(3, 2, 5, 5);
        using (net.call(x)) { }
        var summary = ModelSummary.Of(net, rec);
        var shared = summary.Rows.Single(r => r.Name == "shared");
        Assert.Equal([3L, 2, 5, 5], shared.OutputShape!);
        Assert.Equal(2, shared.Calls);
        Assert.Null(summary.Rows.Single(r => r.Name == "bypassed").OutputShape);
        Assert.Contains("[3, 2, 5, 5] (2 calls)", summary.ToString());
    }

    [Fact]
    public void TheDryRunAgreesWithACapture()
    {
        using var net = Seeded(() => new TinyResNet());
        net.eval();
        using var rec = ActivationRecorder.Attach(net, "*");
        using var x = randn(2, 3, 12, 12);
        using (net.call(x)) { }
        var fromCapture = ModelSummary.Of(net, rec).Rows.Where(r => r.Name != "").Select(r => r.OutputShape).ToList();
        var fromDryRun = ModelSummary.Of(net, [2, 3, 12, 12]).Rows.Where(r => r.Name != "").Select(r => r.OutputShape).ToList();
        Assert.Equal(fromCapture, fromDryRun);
    }

    [Fact]
    public void TheDryRunRunsInEvalModeAndRestoresEveryModulesMode()
    {
        using var net = Seeded(() => new TinyResNet());
        net.train();
        var bn1 = (BatchNorm2d)ModelLayers.Get(net, "bn1");
        bn1.eval(); // a mixed state, as when a user freezes batch norm
        using var meanBefore = bn1.running_mean!.clone();
        using var otherMeanBefore = ((BatchNorm2d)ModelLayers.Get(net, "layer1.0.bn1")).running_mean!.clone();

        ModelSummary.Of(net, [2, 3, 8, 8]);

        Assert.True(net.training);
        Assert.False(bn1.training);
        Assert.True(ModelLayers.Get(net, "layer1.0.bn1").training);
        // In train mode batch norm would have updated its running statistics.
        Assert.True(((BatchNorm2d)ModelLayers.Get(net, "layer1.0.bn1")).running_mean!.equal(otherMeanBefore).all().item<bool>());
        Assert.True(bn1.running_mean!.equal(meanBefore).all().item<bool>());
        Assert.Equal(0, HookCounter.CountAll(net));
    }

    [Fact]
    public void TheDryRunFreesItsTensorsAndHooksAlsoWhenItFails()
    {
        using var net = new SmallCnn();
        var stats = DisposeScopeManager.Statistics;
        ModelSummary.Of(net, [1, 1, 8, 8]); // warm up lazily created tensors
        long live = stats.ThreadTotalLiveCount;
        ModelSummary.Of(net, [1, 1, 8, 8]);
        Assert.Equal(live, stats.ThreadTotalLiveCount);
        Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 3, 8, 8]));
        Assert.Equal(live, stats.ThreadTotalLiveCount);
        Assert.Equal(0, HookCounter.CountAll(net));
        net.train();
        Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 3, 8, 8]));
        Assert.True(net.training);
    }

    [Fact]
    public void AWrongChannelCountNamesTheShapeAndWhatTheFirstLayerExpects()
    {
        using var net = new SmallCnn();
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 3, 8, 8]));
        Assert.StartsWith("The model cannot run on an input of shape [1, 3, 8, 8]: layer 'conv1' (Conv2d) failed with \"", e.Message);
        Assert.Contains("The first layer, 'conv1' (Conv2d), expects input [N, 1, H, W] (in_channels = 1).", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void AWrongFeatureCountNamesTheFailingLinearLayer()
    {
        using var net = Sequential(("flatten", Flatten()), ("fc", Linear(784, 10)));
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 1, 28, 27]));
        Assert.Contains("input of shape [1, 1, 28, 27]: layer 'fc' (Linear) failed", e.Message);
        Assert.Contains("The first layer, 'fc' (Linear), expects input [..., 784] (in_features = 784).", e.Message);
    }

    [Fact]
    public void AFailureDeepInsideABlockNamesTheInnermostLayer()
    {
        using var net = new TinyResNet();
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, [1, 3, 2, 2, 2]));
        Assert.Contains("[1, 3, 2, 2, 2]: layer 'conv1' (Conv2d)", e.Message);
        Assert.Contains("expects input [N, 3, H, W] (in_channels = 3)", e.Message);
    }

    [Theory]
    [InlineData(new long[0], "The input shape is empty")]
    [InlineData(new long[] { 1, 0, 8, 8 }, "The input shape [1, 0, 8, 8] has a dimension that is not positive")]
    [InlineData(new long[] { -1, 1, 8, 8 }, "The input shape [-1, 1, 8, 8] has a dimension that is not positive")]
    public void MalformedShapesAreRejectedBeforeRunning(long[] shape, string message)
    {
        using var net = new SmallCnn();
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(net, shape));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void AModelThatDoesNotTakeOneTensorCannotDryRun()
    {
        using var bil = Bilinear(2, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Of(bil, [1, 2]));
        Assert.Contains("Bilinear does not", e.Message);
        Assert.Equal(2 * 2 * 2 + 2, ModelSummary.Of(bil).TotalParameters);
    }

    [Fact]
    public void HtmlIsATreeOfDetailsWithEscapedNames()
    {
        using var net = Sequential(("<img src=x onerror=alert(1)>", Conv2d(1, 2, 3)), ("block&", Sequential(("a\"b", ReLU()))));
        var html = ModelSummary.Of(net, [1, 1, 5, 5]).ToHtml();
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("block&amp;", html);
        Assert.Contains("a&quot;b", html);
        // The model and the inner Sequential are collapsible; the leaves are plain rows.
        Assert.Equal(2, Regex.Matches(html, "<details open>").Count);
        Assert.Equal(2, Regex.Matches(html, "</details>").Count);
        Assert.Contains("[1, 2, 3, 3]", html);
        Assert.Contains("<td>Total params</td><td class=\"n\">20</td>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html);
        // Containers nest: the inner Sequential's details is inside the model's.
        int outer = html.IndexOf("<details open>"), inner = html.IndexOf("<details open>", outer + 1);
        Assert.True(inner > outer && html.IndexOf("</details>") > inner);
    }

    static string Golden(string file, [CallerFilePath] string here = "")
        => File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "golden", file)).ReplaceLineEndings("\n");
}

/// <summary>The global random stream is shared by every test: this runs alone, after the parallel tests.</summary>
[Collection(MemoryMeasurements.Name)]
public class ModelSummaryRandomStreamTests
{
    [Fact]
    public void TheDryRunDoesNotDisturbTheUsersRandomStream()
    {
        using var net = new SmallCnn();
        random.manual_seed(42);
        using var a = randn(4);
        random.manual_seed(42);
        ModelSummary.Of(net, [1, 1, 8, 8]);
        using var b = randn(4);
        Assert.True(a.equal(b).all().item<bool>());
    }
}
