using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Gradients;

/// <summary>
/// Stands in for a conv layer's node in the autograd graph: the forward value is the layer's own float32 output,
/// the backward recomputes the layer in float64 and returns float64-exact gradients for the input, weight and bias
/// (cast back to their dtypes). Used for the layers whose float32 backward libtorch gets wrong on this machine.
/// </summary>
/// <remarks>
/// Arguments of <c>apply</c>: input, weight, bias (or null), the <see cref="ConvGeometry"/>, and the layer's output
/// wrapped in a <see cref="LayerOutput"/> so autograd does not treat it as an input (its own graph, through the faulty
/// kernel, is dropped).
/// </remarks>
internal sealed class Float64ConvBackward : torch.autograd.SingleTensorFunction<Float64ConvBackward>
{
    /// <summary>The layer's output, passed as a non-tensor argument.</summary>
    internal sealed record LayerOutput(Tensor Value);

    private sealed record Needs(bool Input, bool Weight, bool Bias);

    public override string Name => nameof(Float64ConvBackward);

    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, Tensor output)
        => apply(input, weight, bias!, geometry, new LayerOutput(output));

    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var bias = vars[2] as Tensor;
        ctx.save_for_backward(bias is null ? [input, weight] : [input, weight, bias]);
        ctx.save_data("geometry", vars[3]);
        ctx.save_data("needs", new Needs(input.requires_grad, weight.requires_grad, bias?.requires_grad ?? false));
        // An alias of the layer's output: the values stay exactly the layer's own.
        return ((LayerOutput)vars[4]).Value.detach();
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var geometry = (ConvGeometry)ctx.get_data("geometry");
        var needs = (Needs)ctx.get_data("needs");
        Tensor input = saved[0], weight = saved[1];
        Tensor? bias = saved.Count > 2 ? saved[2] : null;

        using var _ = torch.enable_grad();
        var x = input.detach().to(ScalarType.Float64).requires_grad_(needs.Input);
        var w = weight.detach().to(ScalarType.Float64).requires_grad_(needs.Weight);
        var b = bias?.detach().to(ScalarType.Float64).requires_grad_(needs.Bias);
        var wanted = new List<Tensor>();
        if (needs.Input) wanted.Add(x);
        if (needs.Weight) wanted.Add(w);
        if (needs.Bias) wanted.Add(b!);
        if (wanted.Count == 0) return [null!, null!, null!, null!, null!];

        var y = geometry.Apply(x, w, b);
        var grads = torch.autograd.grad([y], wanted, [gradOutput.to(ScalarType.Float64)]);
        int next = 0;
        Tensor? gx = needs.Input ? grads[next++].to(input.dtype) : null;
        Tensor? gw = needs.Weight ? grads[next++].to(weight.dtype) : null;
        Tensor? gb = needs.Bias ? grads[next].to(bias!.dtype) : null;
        return [gx!, gw!, gb!, null!, null!];
    }
}
