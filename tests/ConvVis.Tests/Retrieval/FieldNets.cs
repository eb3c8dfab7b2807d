using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Retrieval;

/// <summary>Small nets for receptive-field tests, and the empirical footprint of a unit.</summary>
internal static class FieldNets
{
    /// <summary>conv 3x3 p1 → relu → conv 5x5 s2 p2 → relu → maxpool 2 → conv 3x3 dilation 2 p2 → avgpool 3 s2 p1.</summary>
    public static Sequential Plain() => nn.Sequential(
        ("conv1", nn.Conv2d(1, 2, 3, padding: 1)),
        ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(2, 2, 5, stride: 2, padding: 2)),
        ("relu2", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)),
        ("conv3", nn.Conv2d(2, 2, 3, padding: 2, dilation: 2)),
        ("avg", nn.AvgPool2d(3, stride: 2, padding: 1)));

    /// <summary>Every weight 1/fan-in, every bias 0 (float64): every path adds, none cancels.</summary>
    public static T Positive<T>(T model) where T : nn.Module
    {
        model.to(float64);
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else p.fill_(1.0 / (p.numel() / p.shape[0]));
        }
        return model;
    }

    /// <summary>
    /// The input pixels that change unit (c, y, x) of <paramref name="layer"/>: each pixel in turn is raised from 1 to
    /// 1000 (so it becomes the maximum of any max-pooling window it is in) and the unit compared with the unspiked run.
    /// Returns the bounding box (top, left, bottom, right), inclusive, and the count of changing pixels.
    /// </summary>
    public static (int Top, int Left, int Bottom, int Right, int Count) SpikeFootprint(nn.Module<Tensor, Tensor> model, string layer, int h, int w, int channels, int y, int x)
    {
        using var scope = NewDisposeScope();
        using var rec = ActivationRecorder.Attach(model, layer);
        using var noGrad = no_grad();
        var ones = torch.ones(1, channels, h, w, float64);
        model.call(ones);
        double baseline = rec[layer][0, 0, y, x].item<double>();
        int top = int.MaxValue, left = int.MaxValue, bottom = -1, right = -1, count = 0;
        for (int row = 0; row < h; row++)
        {
            var batch = torch.ones(w, channels, h, w, float64);
            for (int col = 0; col < w; col++) batch[col, TensorIndex.Colon, row, col] = 1000.0;
            model.call(batch);
            var unit = rec[layer][TensorIndex.Colon, 0, y, x];
            var changed = (unit - baseline).abs() > 1e-9;
            var cols = changed.nonzero().flatten().data<long>().ToArray();
            foreach (long col in cols)
            {
                count++;
                top = Math.Min(top, row); bottom = Math.Max(bottom, row);
                left = Math.Min(left, (int)col); right = Math.Max(right, (int)col);
            }
        }
        return (top, left, bottom, right, count);
    }

    /// <summary>The nonzero region of the gradient of unit (0, y, x) of <paramref name="layer"/> w.r.t. an all-ones input, as a bounding box and pixel count.</summary>
    public static (int Top, int Left, int Bottom, int Right, int Count) GradientFootprint(nn.Module<Tensor, Tensor> model, string layer, int h, int w, int channels, int y, int x)
    {
        using var scope = NewDisposeScope();
        Tensor? unit = null;
        var target = (nn.Module<Tensor, Tensor>)ConvVis.ModelLayers.Get(model, layer);
        var hook = target.register_forward_hook((_, _, o) => { unit = o[0, 0, y, x]; return null!; }); // a Sequential frees o afterwards
        var input = torch.ones(1, channels, h, w, float64).requires_grad_();
        try { model.call(input); }
        finally { hook.remove(); }
        unit!.backward();
        var nz = (input.grad!.sum(1)[0] != 0).nonzero();
        var rows = nz[TensorIndex.Colon, 0].data<long>().ToArray();
        var cols = nz[TensorIndex.Colon, 1].data<long>().ToArray();
        return ((int)rows.Min(), (int)cols.Min(), (int)rows.Max(), (int)cols.Max(), rows.Length);
    }

    /// <summary>Two residual blocks: [conv 3x3 s2 p1 → relu → conv 3x3 p1] + [conv 1x1 s2], then relu; the second with an identity shortcut and a dilated conv.</summary>
    public sealed class Residual : nn.Module<Tensor, Tensor>
    {
        public readonly Sequential stem;
        public readonly Block block1;
        public readonly Block block2;

        public Residual() : base(nameof(Residual))
        {
            stem = nn.Sequential(("conv", nn.Conv2d(1, 2, 3, padding: 1)), ("relu", nn.ReLU()));
            block1 = new Block(halve: true, dilation: 1);
            block2 = new Block(halve: false, dilation: 2);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => block2.call(block1.call(stem.call(x)));
    }

    public sealed class Block : nn.Module<Tensor, Tensor>
    {
        public readonly Conv2d conv1;
        public readonly ReLU relu1;
        public readonly Conv2d conv2;
        public readonly Conv2d? downsample;

        public Block(bool halve, int dilation) : base(nameof(Block))
        {
            int stride = halve ? 2 : 1;
            conv1 = nn.Conv2d(2, 2, 3, stride: stride, padding: 1);
            relu1 = nn.ReLU();
            conv2 = nn.Conv2d(2, 2, 3, padding: dilation, dilation: dilation);
            downsample = halve ? nn.Conv2d(2, 2, 1, stride: 2) : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var main = conv2.call(relu1.call(conv1.call(x)));
            var shortcut = downsample is null ? x : downsample.call(x);
            return nn.functional.relu(main + shortcut);
        }
    }
}
