using BenchmarkDotNet.Attributes;
using ConvVis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// The imported ONNX ResNet-18 (Microsoft.ML.DnnImageFeaturizer.ResNet18, fetched by the PackageDownload in
/// this project) against the same architecture written by hand in TorchSharp with the same weights.
/// Target: imported forward at most 1.15x the hand-written one. Run with
/// <c>OMP_NUM_THREADS=1 dotnet run -c Release --project benchmarks/ConvVis.Benchmarks -- --filter *OnnxImport* --job short --inProcess</c>.
/// (Out of process, BenchmarkDotNet's generated project lacks TorchSharp's native package reference; in process,
/// each benchmark case runs on a new thread and libtorch's OpenMP pool then segfaults intermittently once
/// an earlier case's thread has exited, so pin OpenMP to one thread.)
/// </summary>
[MemoryDiagnoser(false)]
public class OnnxImportBenchmarks
{
    private PretrainedResNet18 _resnet = null!;
    private HandWrittenResNet18 _hand = null!;
    private Tensor _input = null!;

    [Params(1, 8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _resnet = PretrainedResNet18.Load();
        _hand = new HandWrittenResNet18(_resnet.Model);
        _input = torch.randn(Batch, 3, 224, 224, generator: new Generator(1)) * 50;
        using var noGrad = torch.no_grad();
        using var a = _resnet.Model.call(_input);
        using var b = _hand.call(_input);
        float diff = (a - b).abs().max().item<float>(), scale = a.abs().max().item<float>();
        if (diff > 1e-4 * scale)
            throw new InvalidOperationException($"The hand-written ResNet-18 disagrees with the imported one: {diff} vs scale {scale}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _hand.Dispose();
        _resnet.Dispose();
    }

    /// <summary>Loading the 63 MB ONNX file into a TorchSharp module.</summary>
    [Benchmark]
    public void LoadResNet18()
    {
        using var model = OnnxModel.Load(_resnet.ModelPath);
    }

    [Benchmark(Baseline = true)]
    public void ForwardHandWritten()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _hand.call(_input);
    }

    [Benchmark]
    public void ForwardImported()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _resnet.Model.call(_input);
    }
}

/// <summary>
/// The CNTK ResNet-18 as a TorchSharp user would write it: blocks [2,2,2,3]; its asymmetric ONNX pads
/// ([3,3,2,2] for conv1, [1,1,0,0] for the stride-2 layers) give the same outputs as symmetric padding
/// 3 and 1 at 224x224, so plain padded convolutions are used. Weights are copied from the imported model.
/// </summary>
internal sealed class HandWrittenResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly ModuleList<Block> blocks = new();
    private readonly AvgPool2d avgpool;

    public HandWrittenResNet18(OnnxModel source) : base("HandWrittenResNet18")
    {
        var m = source.named_modules().ToDictionary(x => x.name, x => x.module);
        conv1 = Copy(nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), (Conv2d)m["conv1"]);
        bn1 = Copy(nn.BatchNorm2d(64), (BatchNorm2d)m["bn1"]);
        maxpool = nn.MaxPool2d(3, 2, 1);
        int[] depth = { 2, 2, 2, 3 };
        long channels = 64;
        for (int s = 0; s < 4; s++)
        {
            long outChannels = 64L << s;
            for (int b = 0; b < depth[s]; b++)
            {
                string p = $"layer{s + 1}.{b}.";
                long stride = s > 0 && b == 0 ? 2 : 1;
                blocks.Add(new Block(channels, outChannels, stride, m, p));
                channels = outChannels;
            }
        }
        avgpool = nn.AvgPool2d(7, 1);
        RegisterComponents();
        eval();
    }

    private static Conv2d Copy(Conv2d target, Conv2d source)
    {
        using var _ = torch.no_grad();
        target.weight!.copy_(source.weight!);
        return target;
    }

    private static BatchNorm2d Copy(BatchNorm2d target, BatchNorm2d source)
    {
        using var _ = torch.no_grad();
        target.weight!.copy_(source.weight!);
        target.bias!.copy_(source.bias!);
        target.running_mean!.copy_(source.running_mean!);
        target.running_var!.copy_(source.running_var!);
        return target;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = maxpool.call(nn.functional.relu(bn1.call(conv1.call(x))));
        foreach (var block in blocks) y = block.call(y);
        return avgpool.call(y).MoveToOuterDisposeScope();
    }

    internal sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;
        private readonly Conv2d? down;
        private readonly BatchNorm2d? downBn;

        public Block(long inC, long outC, long stride, Dictionary<string, nn.Module> m, string p) : base("Block")
        {
            conv1 = Copy(nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false), (Conv2d)m[p + "conv1"]);
            bn1 = Copy(nn.BatchNorm2d(outC), (BatchNorm2d)m[p + "bn1"]);
            conv2 = Copy(nn.Conv2d(outC, outC, 3, padding: 1, bias: false), (Conv2d)m[p + "conv2"]);
            bn2 = Copy(nn.BatchNorm2d(outC), (BatchNorm2d)m[p + "bn2"]);
            if (stride != 1)
            {
                down = Copy(nn.Conv2d(inC, outC, 1, stride: stride, bias: false), (Conv2d)m[p + "downsample.0"]);
                downBn = Copy(nn.BatchNorm2d(outC), (BatchNorm2d)m[p + "downsample.1"]);
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = bn2.call(conv2.call(nn.functional.relu(bn1.call(conv1.call(x)))));
            var shortcut = down is null ? x : downBn!.call(down.call(x));
            return nn.functional.relu(y + shortcut);
        }
    }
}
