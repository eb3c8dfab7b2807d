using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ConvVis.Tests.Fixtures;

/// <summary>Small real networks shaped like the ones users inspect (a 2-conv CNN, ResNet basic blocks), for capture, summaries and scans.</summary>
public static class CaptureNets
{
    /// <summary>Input [N,1,8,8] -> conv(1->4) relu pool conv(4->8) relu pool flatten fc(32->10). 666 parameters.</summary>
    public sealed class SmallCnn : Module<Tensor, Tensor>
    {
        readonly Conv2d conv1 = Conv2d(1, 4, 3, padding: 1);
        readonly ReLU relu1 = ReLU();
        readonly MaxPool2d pool1 = MaxPool2d(2);
        readonly Conv2d conv2 = Conv2d(4, 8, 3, padding: 1);
        readonly ReLU relu2 = ReLU();
        readonly MaxPool2d pool2 = MaxPool2d(2);
        readonly Flatten flatten = Flatten();
        readonly Linear fc = Linear(32, 10);

        public SmallCnn() : base(nameof(SmallCnn)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = pool1.call(relu1.call(conv1.call(x)));
            y = pool2.call(relu2.call(conv2.call(y)));
            return fc.call(flatten.call(y)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>TorchVision's BasicBlock: conv-bn-relu(in place)-conv-bn, plus identity or downsample, then a functional relu_().</summary>
    public sealed class BasicBlock : Module<Tensor, Tensor>
    {
        readonly Conv2d conv1;
        readonly BatchNorm2d bn1;
        readonly ReLU relu = ReLU(inplace: true);
        readonly Conv2d conv2;
        readonly BatchNorm2d bn2;
        readonly Module<Tensor, Tensor>? downsample;

        public BasicBlock(long inplanes, long planes, long stride = 1) : base(nameof(BasicBlock))
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
            var y = relu.call(bn1.call(conv1.call(x)));
            y = bn2.call(conv2.call(y));
            y.add_(identity);
            return y.relu_().MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Input [N,3,H,W]: conv1(3->8) bn1 relu(in place), layer1 = 2 blocks (8->8), layer2 = 1 block (8->16, stride 2,
    /// downsample), adaptive average pool, flatten, fc(16->10).
    /// </summary>
    public sealed class TinyResNet : Module<Tensor, Tensor>
    {
        readonly Conv2d conv1 = Conv2d(3, 8, 3, padding: 1, bias: false);
        readonly BatchNorm2d bn1 = BatchNorm2d(8);
        readonly ReLU relu = ReLU(inplace: true);
        readonly Sequential layer1 = Sequential(new BasicBlock(8, 8), new BasicBlock(8, 8));
        readonly Sequential layer2 = Sequential(new BasicBlock(8, 16, stride: 2));
        readonly AdaptiveAvgPool2d avgpool = AdaptiveAvgPool2d(1);
        readonly Flatten flatten = Flatten();
        readonly Linear fc = Linear(16, 10);

        public TinyResNet() : base(nameof(TinyResNet)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = relu.call(bn1.call(conv1.call(x)));
            y = layer2.call(layer1.call(y));
            return fc.call(flatten.call(avgpool.call(y))).MoveToOuterDisposeScope();
        }
    }

    /// <summary>ResNet-18 as TorchVision defines it (7x7 stem, max pool, blocks [2,2,2,2] of BasicBlock, 1000 classes).</summary>
    public sealed class ResNet18 : Module<Tensor, Tensor>
    {
        readonly Conv2d conv1 = Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        readonly BatchNorm2d bn1 = BatchNorm2d(64);
        readonly ReLU relu = ReLU(inplace: true);
        readonly MaxPool2d maxpool = MaxPool2d(3, stride: 2, padding: 1);
        readonly Sequential layer1 = Sequential(new BasicBlock(64, 64), new BasicBlock(64, 64));
        readonly Sequential layer2 = Sequential(new BasicBlock(64, 128, 2), new BasicBlock(128, 128));
        readonly Sequential layer3 = Sequential(new BasicBlock(128, 256, 2), new BasicBlock(256, 256));
        readonly Sequential layer4 = Sequential(new BasicBlock(256, 512, 2), new BasicBlock(512, 512));
        readonly AdaptiveAvgPool2d avgpool = AdaptiveAvgPool2d(1);
        readonly Flatten flatten = Flatten();
        readonly Linear fc = Linear(512, 1000);

        public ResNet18() : base("ResNet") => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = maxpool.call(relu.call(bn1.call(conv1.call(x))));
            y = layer4.call(layer3.call(layer2.call(layer1.call(y))));
            return fc.call(flatten.call(avgpool.call(y))).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Applies the same conv twice (a reused module), then a conv that forward() runs without call().</summary>
    public sealed class ReusedAndBypassed : Module<Tensor, Tensor>
    {
        readonly Conv2d shared = Conv2d(2, 2, 3, padding: 1);
        readonly Conv2d bypassed = Conv2d(2, 2, 1);

        public ReusedAndBypassed() : base(nameof(ReusedAndBypassed)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = shared.call(shared.call(x));
            return bypassed.forward(y).MoveToOuterDisposeScope();
        }
    }

    /// <summary>A conv followed by a module that throws in forward, to check cleanup when forward fails.</summary>
    public sealed class Throwing : Module<Tensor, Tensor>
    {
        readonly Conv2d conv = Conv2d(1, 2, 3, padding: 1);
        readonly Boom boom = new();

        public Throwing() : base(nameof(Throwing)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return boom.call(conv.call(x)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>A leaf module whose forward always throws.</summary>
    public sealed class Boom : Module<Tensor, Tensor>
    {
        public Boom() : base(nameof(Boom)) { }
        public override Tensor forward(Tensor x) => throw new InvalidOperationException("boom in forward");
    }

    /// <summary>Seeds torch so weights are reproducible.</summary>
    public static T Seeded<T>(Func<T> make, int seed = 0)
    {
        random.manual_seed(seed);
        return make();
    }
}
