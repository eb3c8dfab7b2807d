using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Gradients;

/// <summary>Identity forward; the backward scales the gradient by 1.3 in float32 only, like a faulty float32 kernel.</summary>
internal sealed class WrongFloat32Gradient : torch.autograd.SingleTensorFunction<WrongFloat32Gradient>
{
    public override string Name => nameof(WrongFloat32Gradient);

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).alias();

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        => [grad_output.dtype == ScalarType.Float32 ? grad_output * 1.3f : grad_output];
}

/// <summary>A parameter-free layer whose float32 backward is wrong.</summary>
internal sealed class FaultyLayer() : nn.Module<Tensor, Tensor>(nameof(FaultyLayer))
{
    public override Tensor forward(Tensor x) => WrongFloat32Gradient.apply(x);
}
