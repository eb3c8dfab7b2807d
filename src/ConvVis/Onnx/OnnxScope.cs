using TorchSharp;

namespace ConvVis.Onnx;

/// <summary>
/// A container module with no forward of its own: it only groups imported layers so that names
/// like <c>layer1.0.conv1</c> (from ONNX node names such as <c>/layer1/layer1.0/conv1/Conv</c>)
/// appear in <c>named_modules()</c> exactly as they would for a hand-written TorchSharp network.
/// </summary>
internal sealed class OnnxScope : torch.nn.Module
{
    public OnnxScope(string name) : base(name) { }

    // Children are registered explicitly; there are no fields to discover by reflection.
    protected override void RegisterComponents() { }
}
