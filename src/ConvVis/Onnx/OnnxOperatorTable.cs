using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>One supported ONNX operator: its name, what it becomes in the imported module, and how it is compiled.</summary>
/// <param name="Name">The ONNX operator type (default domain).</param>
/// <param name="Becomes">The TorchSharp layer it becomes (a hookable submodule), or "computed" for plain tensor code.</param>
/// <param name="Compile">Compiles one node of this type.</param>
internal sealed record OnnxOperator(string Name, string Becomes, Action<OnnxNodeCompiler> Compile);

// The one list of supported operators. The unsupported-operator error, OnnxModel.SupportedOperators and
// (checked by a test) the README's operator table all come from it.
internal sealed partial class OnnxNodeCompiler
{
    private const string Computed = "computed";

    internal static readonly IReadOnlyList<OnnxOperator> Operators = new OnnxOperator[]
    {
        // Layers: registered submodules, called through call() so hooks and capture see them.
        new("Conv", "Conv2d", c => c.Conv()),
        new("ConvTranspose", "ConvTranspose2d", c => c.ConvTranspose()),
        new("BatchNormalization", "BatchNorm2d", c => c.BatchNorm()),
        new("InstanceNormalization", "InstanceNorm2d", c => c.InstanceNorm()),
        new("LayerNormalization", "LayerNorm", c => c.LayerNorm()),
        new("LRN", "LocalResponseNorm", c => c.Lrn()),
        new("Relu", "ReLU", c => c.Layer(nn.ReLU())),
        new("LeakyRelu", "LeakyReLU", c => c.Layer(nn.LeakyReLU(c._attrs.Float("alpha", 0.01f)))),
        new("PRelu", "PReLU", c => c.PRelu()),
        new("Elu", "ELU", c => c.Layer(nn.ELU(c._attrs.Float("alpha", 1f)))),
        new("Selu", "SELU", c => c.Selu()),
        new("Sigmoid", "Sigmoid", c => c.Layer(nn.Sigmoid())),
        new("HardSigmoid", "HardSigmoid", c => c.Layer(new HardSigmoid(c._attrs.Float("alpha", 0.2f), c._attrs.Float("beta", 0.5f)))),
        new("HardSwish", "Hardswish", c => c.Layer(nn.Hardswish())),
        new("Tanh", "Tanh", c => c.Layer(nn.Tanh())),
        new("Softplus", "Softplus", c => c.Layer(nn.Softplus())),
        new("Mish", "Mish", c => c.Layer(nn.Mish())),
        new("Gelu", "GELU", c => c.Gelu()),
        new("Clip", "Clip (constant bounds; computed otherwise)", c => c.Clip()),
        new("MaxPool", "MaxPool2d", c => c.Pool(max: true)),
        new("AveragePool", "AvgPool2d", c => c.Pool(max: false)),
        new("GlobalAveragePool", "AdaptiveAvgPool2d", c => c.Layer(nn.AdaptiveAvgPool2d(1), rank: 4)),
        new("GlobalMaxPool", "AdaptiveMaxPool2d", c => c.Layer(nn.AdaptiveMaxPool2d(new long[] { 1, 1 }), rank: 4)),
        new("Gemm", "Linear (constant B; computed otherwise)", c => c.Gemm()),
        new("Flatten", "Flatten (axis 1; computed otherwise)", c => c.Flatten()),
        new("Dropout", "Dropout", c => c.Dropout()),
        new("Softmax", "Softmax", c => c.Softmax()),
        new("Resize", "Upsample (nearest, linear)", c => c.Resize()),
        new("Upsample", "Upsample (nearest, linear)", c => c.Resize()),

        // Computed in the graph.
        new("Constant", Computed, c => c.CompileConstant()),
        new("Identity", Computed, c => c.Plain(1, a => a[0]!)),
        new("Add", Computed, c => c.Elementwise((a, b) => a + b)),
        new("Sub", Computed, c => c.Elementwise((a, b) => a - b)),
        new("Mul", Computed, c => c.Elementwise((a, b) => a * b)),
        new("Div", Computed, c => c.Elementwise((a, b) => a / b)),
        new("Pow", Computed, c => c.Elementwise((a, b) => a.pow(b))),
        new("MatMul", Computed, c => c.Elementwise((a, b) => torch.matmul(a, b))),
        new("Equal", Computed, c => c.Elementwise((a, b) => a.eq(b))),
        new("Greater", Computed, c => c.Elementwise((a, b) => a.gt(b))),
        new("Less", Computed, c => c.Elementwise((a, b) => a.lt(b))),
        new("Sqrt", Computed, c => c.Unary(x => x.sqrt())),
        new("Exp", Computed, c => c.Unary(x => x.exp())),
        new("Log", Computed, c => c.Unary(x => x.log())),
        new("Erf", Computed, c => c.Unary(x => x.erf())),
        new("Neg", Computed, c => c.Unary(x => x.neg())),
        new("Abs", Computed, c => c.Unary(x => x.abs())),
        new("Reciprocal", Computed, c => c.Unary(x => x.reciprocal())),
        new("Floor", Computed, c => c.Unary(x => x.floor())),
        new("Ceil", Computed, c => c.Unary(x => x.ceil())),
        new("Not", Computed, c => c.Unary(x => x.logical_not())),
        new("Min", Computed, c => c.Variadic((a, b) => torch.minimum(a, b), mean: false)),
        new("Max", Computed, c => c.Variadic((a, b) => torch.maximum(a, b), mean: false)),
        new("Sum", Computed, c => c.Variadic((a, b) => a + b, mean: false)),
        new("Mean", Computed, c => c.Variadic((a, b) => a + b, mean: true)),
        new("Where", Computed, c => c.Where()),
        new("ReduceMean", Computed, c => c.Reduce(ReduceKind.Mean)),
        new("ReduceSum", Computed, c => c.Reduce(ReduceKind.Sum)),
        new("ReduceMax", Computed, c => c.Reduce(ReduceKind.Max)),
        new("ReduceMin", Computed, c => c.Reduce(ReduceKind.Min)),
        new("ReduceProd", Computed, c => c.Reduce(ReduceKind.Prod)),
        new("ReduceL2", Computed, c => c.Reduce(ReduceKind.L2)),
        new("Concat", Computed, c => c.Concat()),
        new("Split", Computed, c => c.Split()),
        new("Slice", Computed, c => c.Slice()),
        new("Transpose", Computed, c => c.Transpose()),
        new("Reshape", Computed, c => c.Reshape()),
        new("Squeeze", Computed, c => c.Squeeze()),
        new("Unsqueeze", Computed, c => c.Unsqueeze()),
        new("Expand", Computed, c => c.Expand()),
        new("Tile", Computed, c => c.Tile()),
        new("Pad", Computed, c => c.Pad()),
        new("Shape", Computed, c => c.Shape()),
        new("Gather", Computed, c => c.Gather()),
        new("Cast", Computed, c => c.Cast()),
        new("ConstantOfShape", Computed, c => c.ConstantOfShape()),
        new("Range", Computed, c => c.Range()),
    };

    private static readonly Dictionary<string, OnnxOperator> ByName = Operators.ToDictionary(o => o.Name);

    /// <summary>The supported operator names, in table order (for error messages).</summary>
    internal static string SupportedList => string.Join(", ", Operators.Select(o => o.Name));
}
