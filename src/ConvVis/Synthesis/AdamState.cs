using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>Adam's running moments for one variable (Kingma and Ba 2015; β₁ 0.9, β₂ 0.999, ε 1e-8).</summary>
internal sealed class AdamState : IDisposable
{
    private readonly Tensor _m, _v;
    private int _t;

    public AdamState(Tensor like)
    {
        _m = zeros_like(like).DetachFromDisposeScope();
        _v = zeros_like(like).DetachFromDisposeScope();
    }

    /// <summary>The step for ascent along <paramref name="gradient"/>.</summary>
    public Tensor Step(Tensor gradient, double rate)
    {
        _t++;
        _m.mul_(0.9).add_(gradient, alpha: 0.1);
        _v.mul_(0.999).addcmul_(gradient, gradient, value: 0.001);
        double c1 = 1 - Math.Pow(0.9, _t), c2 = 1 - Math.Pow(0.999, _t);
        return (_m / c1) / ((_v / c2).sqrt() + 1e-8) * rate;
    }

    public void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
    }
}
