using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Fixtures;

/// <summary>f_k(x) = Σ_i a_k,i · x_i² over [N, C, H, W]: its gradient 2 a x and integrated gradients a(x² − b²) are known exactly.</summary>
internal sealed class QuadraticNet : nn.Module<Tensor, Tensor>
{
    public readonly TorchSharp.Modules.Parameter a;

    public QuadraticNet(long[] imageShape, int classes, int seed = 4) : base(nameof(QuadraticNet))
    {
        a = nn.Parameter(torch.randn([classes, .. imageShape], generator: new torch.Generator((ulong)seed)));
        RegisterComponents();
        eval();
    }

    public override Tensor forward(Tensor x)
    {
        var sq = (x * x).unsqueeze(1);              // [N, 1, C, H, W]
        return (sq * a.unsqueeze(0)).flatten(2).sum(2); // [N, K]
    }
}
