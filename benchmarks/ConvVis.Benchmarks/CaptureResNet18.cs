using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis.Benchmarks;

/// <summary>
/// ResNet-18 laid out like TorchVision's (same module names, in-place ReLU modules, a functional relu_() closing each
/// block, its own dispose scope in forward): 11,689,512 parameters, 1000 classes. No weights; timing only.
/// </summary>
public sealed class CaptureResNet18 : Module<Tensor, Tensor>
{
    readonly Conv2d conv1 = Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
    readonly BatchNorm2d bn1 = BatchNorm2d(64);
    readonly ReLU relu = ReLU(inplace: true);
    readonly MaxPool2d maxpool = MaxPool2d(3, stride: 2, padding: 1);
    readonly Sequential layer1 = Layer(64, 64, 1);
    readonly Sequential layer2 = Layer(64, 128, 2);
    readonly Sequential layer3 = Layer(128, 256, 2);
    readonly Sequential layer4 = Layer(256, 512, 2);
    readonly AdaptiveAvgPool2d avgpool = AdaptiveAvgPool2d(1);
    readonly Flatten flatten = Flatten();
    readonly Linear fc = Linear(512, 1000);

    /// <summary>Builds the network with freshly initialised weights.</summary>
    public CaptureResNet18() : base("ResNet") => RegisterComponents();

    /// <summary>
    /// Whether <see cref="forward"/> runs in its own dispose scope (default true). False for <see cref="GradCam"/>: it
    /// keeps the hooked layer's output, which that scope would dispose when forward returns (a ConvVis bug).
    /// </summary>
    public bool OwnDisposeScope { get; init; } = true;

    static Sequential Layer(long inplanes, long planes, long stride)
        => Sequential(new Block(inplanes, planes, stride), new Block(planes, planes, 1));

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = OwnDisposeScope ? NewDisposeScope() : null;
        var y = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        y = layer4.call(layer3.call(layer2.call(layer1.call(y))));
        var output = fc.call(flatten.call(avgpool.call(y)));
        return scope is null ? output : output.MoveToOuterDisposeScope();
    }

    sealed class Block : Module<Tensor, Tensor>
    {
        readonly Conv2d conv1;
        readonly BatchNorm2d bn1;
        readonly ReLU relu = ReLU(inplace: true);
        readonly Conv2d conv2;
        readonly BatchNorm2d bn2;
        readonly Sequential? downsample;

        public Block(long inplanes, long planes, long stride) : base("BasicBlock")
        {
            conv1 = Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            if (stride != 1 || inplanes != planes)
                downsample = Sequential(Conv2d(inplanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var identity = downsample is null ? x : downsample.call(x);
            var y = bn2.call(conv2.call(relu.call(bn1.call(conv1.call(x)))));
            y.add_(identity);
            return y.relu_().MoveToOuterDisposeScope();
        }
    }
}
