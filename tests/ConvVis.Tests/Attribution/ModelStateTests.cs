using System.Collections;
using System.Diagnostics;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ConvVis.Tests.Fixtures;

namespace ConvVis.Tests.Attribution;

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public class MemoryCollection;

/// <summary>Every method leaves the model, the input and the process as they were.</summary>
[Collection(nameof(MemoryCollection))]
public class ModelStateTests
{
    /// <summary>conv → batch norm → in-place ReLU → dropout → pool → linear, in TRAINING mode.</summary>
    private static Sequential TrainingNet()
    {
        torch.manual_seed(21);
        var net = nn.Sequential(
            ("conv", nn.Conv2d(3, 4, 3, padding: 1)),
            ("bn", nn.BatchNorm2d(4)),
            ("relu", nn.ReLU(inplace: true)),
            ("drop", nn.Dropout(0.3)),
            ("pool", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(4 * 4 * 4, 3)));
        net.train();
        net.children().ElementAt(3).eval(); // one module in eval mode: restored module by module
        return net;
    }

    public static TheoryData<string> Methods => new() { "saliency", "smoothgrad", "ig", "deconv", "guided", "gradcam", "guidedgradcam", "occlusion" };

    private static AttributionMethod Method(string name, nn.Module<Tensor, Tensor> net) => name switch
    {
        "saliency" => new Saliency(net),
        "smoothgrad" => new SmoothGrad(new GuidedBackprop(net)) { Samples = 3 },
        "ig" => new IntegratedGradients(net) { Steps = 5 },
        "deconv" => new DeconvNet(net),
        "guided" => new GuidedBackprop(net),
        "gradcam" => new GradCam(net, "conv"),
        "guidedgradcam" => new GuidedGradCam(net, "conv"),
        _ => new Occlusion(net) { Window = (4, 4), Stride = (4, 4) },
    };

    internal static int HookCount(nn.Module m)
    {
        int count = 0;
        for (var t = m.GetType(); t is not null; t = t.BaseType)
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (f.Name.EndsWith("hooks", StringComparison.Ordinal) && f.GetValue(m) is ICollection c)
                    count += c.Count;
        return count;
    }

    [Theory, MemberData(nameof(Methods))]
    public void TheModelAndTheInputAreLeftAsTheyWere(string name)
    {
        using var scope = NewDisposeScope();
        var net = TrainingNet();
        var modules = net.modules().Prepend(net).ToArray();
        var parameters = net.parameters().ToArray();
        parameters[1].requires_grad = false; // conv bias frozen by the user: must stay frozen
        parameters[0].grad = torch.full_like(parameters[0], 0.25f); // a gradient the user has accumulated
        var training = modules.Select(m => m.training).ToArray();
        var buffers = net.buffers().Select(b => b.clone()).ToArray();
        var input = torch.rand([2, 3, 8, 8], generator: new torch.Generator(1)).requires_grad_(true);
        var inputCopy = input.detach().clone();

        using (var r = Method(name, net).Attribute(input, 1))
        {
            Assert.Contains(r.Warnings, w => w.Contains("training mode"));
            Assert.Equal(input.shape[0], r.Values.shape[0]);
        }

        Assert.Equal(training, modules.Select(m => m.training).ToArray());
        Assert.Equal([true, false, true, true, true, true], parameters.Select(p => p.requires_grad).ToArray());
        Assert.True(parameters[0].grad!.allclose(torch.full_like(parameters[0], 0.25f)));
        Assert.All(parameters.Skip(1), p => Assert.Null(p.grad));
        Assert.All(net.buffers().Zip(buffers), pair => Assert.True(pair.First.allclose(pair.Second), "a buffer (batch-norm statistic) changed"));
        Assert.All(modules, m => Assert.Equal(0, HookCount(m)));
        Assert.True(input.requires_grad);
        Assert.Null(input.grad);
        Assert.True(input.allclose(inputCopy));
    }

    [Fact]
    public void HooksAndRequiresGradAreRestoredWhenTheForwardThrows()
    {
        using var scope = NewDisposeScope();
        var net = new ThrowingNet();
        var x = torch.rand(1, 2);
        foreach (var method in new AttributionMethod[] { new GuidedBackprop(net), new DeconvNet(net), new Saliency(net) { Map = SaliencyMap.Signed } })
        {
            net.Throw = true;
            var e = Assert.Throws<InvalidOperationException>(() => method.Attribute(x, 0));
            Assert.Equal("boom", e.Message);
            Assert.All(net.modules().Prepend(net), m => Assert.Equal(0, HookCount(m)));
            Assert.All(net.parameters(), p => Assert.True(p.requires_grad));
            // The override is gone: a plain saliency afterwards is the hand-computed plain gradient [1, 0].
            net.Throw = false;
            using var plain = new Saliency(net) { Map = SaliencyMap.Signed }.Attribute(x.fill_(0).add_(tensor(new float[] { 1, 2 })), 0);
            Assert.Equal(new float[] { 1, 0 }, plain.Values.reshape(-1).data<float>().ToArray());
        }
    }

    private sealed class ThrowingNet : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential inner = HandNets.HandNet(inplace: true);
        public bool Throw { get; set; }

        public ThrowingNet() : base(nameof(ThrowingNet)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var y = inner.call(x);
            return Throw ? throw new InvalidOperationException("boom") : y;
        }
    }

    [Fact]
    public void NoTensorsOrMemoryAreKeptOverAHundredCalls()
    {
        var net = RgbCnn16.Create();
        using var x = torch.rand([4, 3, 16, 16], generator: new torch.Generator(2));
        var methods = new AttributionMethod[]
        {
            new Saliency(net), new GuidedBackprop(net), new DeconvNet(net), new GradCam(net, "conv2"),
            new IntegratedGradients(net) { Steps = 4 }, new Occlusion(net) { Window = (8, 8), Stride = (8, 8) },
        };
        void Run(int times)
        {
            for (int i = 0; i < times; i++)
                foreach (var m in methods)
                    m.Attribute(x, AttributionTarget.Classes(0, 1, 2, 3)).Dispose();
        }

        Run(10); // warm up caches and allocators
        Settle();
        long tensors = Tensor.TotalCount;
        long memory = Process.GetCurrentProcess().WorkingSet64;
        Run(100);
        Settle();
        long tensorGrowth = Tensor.TotalCount - tensors;
        long memoryGrowth = Process.GetCurrentProcess().WorkingSet64 - memory;
        Assert.True(tensorGrowth <= 0, $"{tensorGrowth} tensors were left alive by 600 attributions");
        Assert.True(memoryGrowth < 40L << 20, $"process memory grew by {memoryGrowth >> 20} MB over 600 attributions");
    }

    private static void Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
