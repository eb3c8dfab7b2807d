using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Fixtures;

/// <summary>Passes its input through unchanged and remembers the mode and grad state it ran in.</summary>
internal sealed class Tap : nn.Module<Tensor, Tensor>
{
    public bool? SawTraining;
    public bool? SawGradEnabled;
    public int ThrowOnCall = -1;
    int _calls;

    public Tap() : base(nameof(Tap)) { }

    public override Tensor forward(Tensor x)
    {
        SawTraining = training;
        SawGradEnabled = torch.is_grad_enabled();
        if (_calls++ == ThrowOnCall) throw new InvalidOperationException("planted failure in forward");
        return x;
    }
}

/// <summary>A model whose one hooked layer outputs exactly the designed input.</summary>
internal sealed class TapNet : nn.Module<Tensor, Tensor>
{
    public readonly Tap tap = new();
    public readonly TorchSharp.Modules.Dropout drop = nn.Dropout(0.5);

    public TapNet() : base(nameof(TapNet)) => RegisterComponents();

    public override Tensor forward(Tensor x) => drop.call(tap.call(x));
}
