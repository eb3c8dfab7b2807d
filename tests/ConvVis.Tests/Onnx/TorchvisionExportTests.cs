using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ConvVis.Tests.Onnx;

/// <summary>Exports one small seeded model of every torchvision classification family with Debian's PyTorch
/// (export_torchvision.py, run once for the class) and the importer's use of them.</summary>
public sealed class TorchvisionExports : IDisposable
{
    /// <summary>Debian's interpreter: the one python3-torch installs into (a pyenv or venv python3 on PATH may lack it).</summary>
    public const string Python = "/usr/bin/python3";

    public static bool TorchPresent =>
        File.Exists(Python) && Directory.Exists("/usr/lib/python3/dist-packages/torch") && Directory.Exists("/usr/lib/python3/dist-packages/torchvision");

    public const string TorchMissing = "Debian's PyTorch is missing: install it with 'sudo apt-get install python3-torch python3-torchvision' (scripts/setup.sh does).";

    public TorchvisionExports()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"convvis-torchvision-{Environment.ProcessId}");
        Directory.CreateDirectory(Folder);
        if (!TorchPresent) return;
        string script = Path.Combine(AppContext.BaseDirectory, "Onnx", "export_torchvision.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Folder);
        start.Environment["OMP_NUM_THREADS"] = "1";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        Log = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Seconds = watch.Elapsed.TotalSeconds;
        // PyTorch's exporter warns a lot on stderr; only a failure's last lines matter.
        if (process.ExitCode != 0)
            Failure = $"{Python} {script} failed with exit code {process.ExitCode}:\n{string.Join("\n", stderr.Result.Split('\n').TakeLast(25))}";
        else
            foreach (var line in File.ReadAllLines(Path.Combine(Folder, "manifest.txt")))
            {
                var f = line.Split(' ');
                Models[f[0]] = (long.Parse(f[1]), new[] { long.Parse(f[2]), long.Parse(f[3]), long.Parse(f[4]), long.Parse(f[5]) }, long.Parse(f[6]));
            }
    }

    public string Folder { get; }
    public string Log { get; } = "";
    public string? Failure { get; }
    public double Seconds { get; }
    public Dictionary<string, (long Opset, long[] InputShape, long Classes)> Models { get; } = new();

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A theory that is skipped, saying how to install it, when Debian's PyTorch is missing.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute()
    {
        if (!TorchvisionExports.TorchPresent) Skip = TorchvisionExports.TorchMissing;
    }
}

/// <summary>Every torchvision classification family, exported by PyTorch's own torch.onnx.export (dynamic batch),
/// imports; its logits equal PyTorch's; capture, summary and an attribution run on it.</summary>
public class TorchvisionExportTests : IClassFixture<TorchvisionExports>
{
    private readonly TorchvisionExports _exports;
    private readonly ITestOutputHelper _output;

    public TorchvisionExportTests(TorchvisionExports exports, ITestOutputHelper output)
    {
        _exports = exports;
        _output = output;
    }

    /// <summary>The models export_torchvision.py writes (a test fails if the script and this list disagree).</summary>
    public static TheoryData<string> Families => new()
    {
        "resnet18_untrained", "resnext", "vgg_bn", "alexnet", "squeezenet1_1", "densenet", "googlenet", "inception_v3",
        "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_small_opset14", "efficientnet_b0", "efficientnet_v2_s",
        "shufflenet_v2_x0_5", "mnasnet0_5", "regnet_x_400mf", "regnet_y_400mf", "convnext", "convnext_opset17",
    };

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    [TorchTheory]
    [MemberData(nameof(Families))]
    public void ImportsWithPyTorchsLogitsAndSupportsCaptureSummaryAndAttribution(string name)
    {
        Assert.True(_exports.Failure is null, _exports.Failure);
        _output.WriteLine($"export of all families: {_exports.Seconds:F1} s\n{_exports.Log}");
        Assert.True(_exports.Models.ContainsKey(name), $"export_torchvision.py wrote no '{name}'");
        var (opset, shape, classes) = _exports.Models[name];
        string file = Path.Combine(_exports.Folder, name + ".onnx");

        var watch = Stopwatch.StartNew();
        using var model = OnnxModel.Load(file);
        _output.WriteLine($"{name}: {new FileInfo(file).Length / 1e6:F1} MB loaded in {watch.Elapsed.TotalMilliseconds:F0} ms; opset {model.OpsetVersion}");
        Assert.Equal(opset, model.OpsetVersion);
        Assert.Equal("batch", model.Inputs[0].Shape![0].Symbol);

        // Logits: the imported module on PyTorch's input equals PyTorch's output.
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var x = torch.tensor(ReadFloats(Path.Combine(_exports.Folder, name + ".input.bin")), shape);
            var expected = ReadFloats(Path.Combine(_exports.Folder, name + ".logits.bin"));
            var actual = OnnxReference.RunImported(model, ReadFloats(Path.Combine(_exports.Folder, name + ".input.bin")), shape);
            Assert.Equal(new[] { shape[0], classes }, actual.Shape);
            double scale = Math.Max(1e-3, expected.Max(Math.Abs)), maxDiff = expected.Zip(actual.Values, (e, a) => Math.Abs(e - a)).Max();
            _output.WriteLine($"logits: max |PyTorch - imported| = {maxDiff:g3} (max |logit| {scale:g3})");
            Assert.True(maxDiff <= 1e-4 * scale + 1e-6, $"{name}: logits differ from PyTorch's by {maxDiff:g3} (max |logit| {scale:g3})");
        }

        // Activations are layers under torchvision's own module names, whichever way the exporter wrote them.
        var types = model.named_modules().ToDictionary(m => m.name, m => m.module.GetType().Name);
        if (name.StartsWith("convnext"))
        {
            Assert.Equal("Conv2d", types["features.1.0.block.0"]);   // torchvision's name of the depthwise conv
            Assert.Equal("GELU", types["features.1.0.block.4"]);
        }
        if (name == "resnet18_untrained")
            Assert.Equal("Conv2d", types["layer1.0.conv1"]);
        if (name.StartsWith("mobilenet_v3"))
            Assert.Equal("Hardswish", types["features.0.2"]);

        // Capture: every layer fires once; hooks see the new layer types.
        var one = new long[] { 1, shape[1], shape[2], shape[3] };
        using (var scope = torch.NewDisposeScope())
        using (var recorder = ActivationRecorder.Attach(model))
        using (torch.no_grad())
        {
            model.call(torch.randn(one, generator: new Generator(3)));
            Assert.NotEmpty(recorder.Layers);
            Assert.Empty(recorder.NotFired);
        }

        // Summary: shapes from a dry run and the parameter count of the module.
        var summary = ModelSummary.Of(model, one);
        Assert.Equal(model.parameters().Sum(p => p.numel()), summary.TotalParameters);
        Assert.True(summary.TotalParameters > 0);
        Assert.Contains("Conv2d", summary.ToString());

        // One attribution (batch 1: see the README, "Right gradients on every machine", on libtorch's conv input gradients with batches).
        using (var scope = torch.NewDisposeScope())
        {
            using var saliency = new Saliency(model).Attribute(torch.randn(one, generator: new Generator(4)), AttributionTarget.Class(1));
            var values = saliency.Values;
            Assert.Equal(new[] { shape[2], shape[3] }, values.shape[^2..]);
            Assert.True(values.isfinite().all().item<bool>());
            Assert.True(values.abs().sum().item<float>() > 0, "the saliency map is all zero");
        }
    }

    [TorchTheory]
    [InlineData("layer1.0.conv1", "Conv2d")]
    public void TheUntrainedResNetsSharedZeroBiasesAreConstantsOfEachConv(string layer, string type)
    {
        // The exporter shares one initializer (all-zero folded biases) between convs through Identity nodes.
        Assert.True(_exports.Failure is null, _exports.Failure);
        using var model = OnnxModel.Load(Path.Combine(_exports.Folder, "resnet18_untrained.onnx"));
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        Assert.Equal(type, modules[layer].GetType().Name);
        var conv = (TorchSharp.Modules.Conv2d)modules[layer];
        Assert.NotNull(conv.bias);
        Assert.Equal(0, conv.bias!.abs().sum().item<float>());
    }
}
