using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Onnx;

/// <summary>Loads the 63 MB ResNet-18 once for the class.</summary>
public sealed class ResNetFixture : IDisposable
{
    public ResNetFixture()
    {
        ResNet = PretrainedResNet18.Load();
        Session = new InferenceSession(TestFiles.ResNet18Onnx);
    }

    public PretrainedResNet18 ResNet { get; }

    public InferenceSession Session { get; }

    public void Dispose()
    {
        ResNet.Dispose();
        Session.Dispose();
    }
}

/// <summary>The real ImageNet ResNet-18 (CNTK export) imported and compared with ONNX Runtime on real photos.</summary>
public class PretrainedResNet18Tests(ResNetFixture fixture) : IClassFixture<ResNetFixture>
{
    private static float[] Floats(Tensor t) => MemoryMarshal.Cast<byte, float>(t.contiguous().bytes).ToArray();

    private static void AssertRelativeClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxAbs = expected.Max(v => Math.Abs(v));
        double maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxAbs > 0);
        Assert.True(maxDiff <= tolerance * maxAbs, $"max |difference| {maxDiff:g4} is more than {tolerance:g2} x max |value| {maxAbs:g4}");
    }

    [PhotoFact]
    public void FeaturesOfRealPhotosEqualOnnxRuntime()
    {
        foreach (var photo in new[] { TestFiles.Chelsea, TestFiles.Coffee })
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var input = fixture.ResNet.Preprocess(ImageLoader.Load(photo)).unsqueeze(0);
            var expected = OnnxReference.Run(fixture.Session, Floats(input), input.shape);
            var actual = fixture.ResNet.Model.call(input);
            Assert.Equal(new long[] { 1, 512, 1, 1 }, actual.shape);
            Assert.Equal(expected.Shape, actual.shape);
            AssertRelativeClose(expected.Values, Floats(actual), 1e-4);
            // Real features of a real photo: non-negative (after ReLU and averaging) and not all zero.
            Assert.True(expected.Values.Count(v => v > 0) > 100);
        }
    }

    [PhotoFact]
    public void PreprocessEqualsTheCntkPreprocessingGraphInOnnxRuntime()
    {
        using var scope = torch.NewDisposeScope();
        var rgb = ImageLoader.ResizeAndCenterCrop(ImageLoader.Load(TestFiles.Coffee), 224, 224);
        var ours = fixture.ResNet.Preprocess(rgb).unsqueeze(0);
        var rgb255 = (rgb * 255).unsqueeze(0);
        var expected = OnnxReference.Run(File.ReadAllBytes(TestFiles.ResNetPreprocessOnnx), Floats(rgb255), rgb255.shape);
        AssertRelativeClose(expected.Values, Floats(ours), 1e-6);
        // The preprocessing graph itself (Split, Concat, Sub) also imports and agrees.
        using var prepGraph = OnnxModel.Load(TestFiles.ResNetPreprocessOnnx);
        AssertRelativeClose(expected.Values, Floats(prepGraph.call(rgb255)), 1e-6);
        // And back for display.
        var back = fixture.ResNet.Normalization.Denormalize(ours.squeeze(0));
        Assert.True((back - rgb).abs().max().item<float>() < 1e-5);
    }

    [PhotoFact]
    public void ABatchOfTwoPhotosEqualsTwoSingleRunsThoughTheFileFixesTheBatchToOne()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Assert.Equal(1, fixture.ResNet.Model.Inputs[0].Shape![0].Size);
        var a = fixture.ResNet.Preprocess(ImageLoader.Load(TestFiles.Chelsea));
        var b = fixture.ResNet.Preprocess(ImageLoader.Load(TestFiles.Coffee));
        var batch = fixture.ResNet.Features(torch.stack(new[] { a, b }));
        var singleA = fixture.ResNet.Features(a.unsqueeze(0));
        var singleB = fixture.ResNet.Features(b.unsqueeze(0));
        Assert.Equal(new long[] { 2, 512 }, batch.shape);
        AssertRelativeClose(Floats(torch.cat(new[] { singleA, singleB })), Floats(batch), 1e-5);
        // Different photos give different features.
        Assert.True((singleA - singleB).abs().max().item<float>() > 0.1f);
    }

    [Fact]
    public void LayersHaveTorchvisionLikeNamesAndConv1Has64ColourFilters()
    {
        var modules = fixture.ResNet.Model.named_modules().ToDictionary(m => m.name, m => m.module);
        var conv1 = Assert.IsType<TorchSharp.Modules.Conv2d>(modules["conv1"]);
        Assert.Equal(new long[] { 64, 3, 7, 7 }, conv1.weight!.shape);
        foreach (var name in new[] { "bn1", "relu", "maxpool", "layer1.0.conv1", "layer1.1.relu2", "layer2.0.downsample.0", "layer2.0.downsample.1", "layer4.1.conv2", "avgpool" })
            Assert.True(modules.ContainsKey(name), $"missing layer {name}; have {string.Join(", ", modules.Keys)}");
        Assert.IsType<TorchSharp.Modules.BatchNorm2d>(modules["layer3.0.downsample.1"]);
        Assert.Equal(new long[] { 512, 256, 3, 3 }, ((TorchSharp.Modules.Conv2d)modules["layer4.0.conv1"]).weight!.shape);
        Assert.Equal(19, modules.Values.Count(m => m is TorchSharp.Modules.ReLU));   // 1 + 2 per block, blocks [2,2,2,3]
        Assert.True(modules.ContainsKey("layer4.2.relu2"));
        foreach (var output in PretrainedResNet18.StageOutputs.Values) Assert.True(modules.ContainsKey(output), output);
    }

    [PhotoFact]
    public void ForwardHooksFireOnEveryStageOutputWithTheRightShapes()
    {
        var shapes = new Dictionary<string, long[]>();
        var modules = fixture.ResNet.Model.named_modules().ToDictionary(m => m.name, m => m.module);
        var handles = PretrainedResNet18.StageOutputs.Select(kv =>
            ((nn.Module<Tensor, Tensor>)modules[kv.Value]).register_forward_hook((m, i, o) => { shapes[kv.Key] = o.shape; return null!; })).ToList();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            fixture.ResNet.Model.call(fixture.ResNet.Preprocess(ImageLoader.Load(TestFiles.Chelsea)).unsqueeze(0));
        }
        finally
        {
            foreach (var h in handles) h.remove();
        }
        Assert.Equal(new long[] { 1, 64, 112, 112 }, shapes["conv1"]);
        Assert.Equal(new long[] { 1, 64, 56, 56 }, shapes["layer1"]);
        Assert.Equal(new long[] { 1, 128, 28, 28 }, shapes["layer2"]);
        Assert.Equal(new long[] { 1, 256, 14, 14 }, shapes["layer3"]);
        Assert.Equal(new long[] { 1, 512, 7, 7 }, shapes["layer4"]);
        Assert.Equal(new long[] { 1, 512, 1, 1 }, shapes["avgpool"]);
    }

    [Fact]
    public void LoadsFromTheDefaultNuGetCacheOrAGivenPackageFolderOrFile()
    {
        Assert.Equal(Path.GetFullPath(TestFiles.ResNet18Onnx), Path.GetFullPath(fixture.ResNet.ModelPath));
        string packageFolder = Path.GetFullPath(Path.Combine(TestFiles.ResNetFolder, "..", ".."));
        using (var fromFolder = PretrainedResNet18.Load(packageFolder))
            Assert.Equal(Path.GetFullPath(TestFiles.ResNet18Onnx), Path.GetFullPath(fromFolder.ModelPath));
        using var fromFile = PretrainedResNet18.Load(TestFiles.ResNet18Onnx);
        Assert.Equal(new long[] { 64, 3, 7, 7 }, ((TorchSharp.Modules.Conv2d)fromFile.Model.named_modules().First(m => m.name == "conv1").module).weight!.shape);
    }

    [Fact]
    public void AMissingModelExplainsHowToGetIt()
    {
        string empty = Directory.CreateTempSubdirectory("convvis-noresnet").FullName;
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedResNet18.Load(empty));
        Assert.Contains("<PackageDownload Include=\"Microsoft.ML.DnnImageFeaturizer.ResNet18\" Version=\"[0.23.1]\" />", e.Message);
        Assert.Contains("#r \"nuget: Microsoft.ML.DnnImageFeaturizer.ResNet18, 0.23.1\"", e.Message);
        Assert.Contains(empty, e.Message);
    }

    [Fact]
    public void ATruncatedModelFileFailsWithAClearError()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("convvis-trunc").FullName, "ResNet18.onnx");
        using (var source = File.OpenRead(TestFiles.ResNet18Onnx))
        using (var target = File.Create(path))
        {
            var buffer = new byte[source.Length / 2];
            source.ReadExactly(buffer);
            target.Write(buffer);
        }
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }
}
