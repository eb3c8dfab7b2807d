using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Tests.Fixtures;

/// <summary>A small real CNN for 28×28 grey images and a plain training loop, for the health tests.</summary>
internal sealed class TrainableGreyCnn28 : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv1;
    public readonly ReLU relu1;
    public readonly MaxPool2d pool1;
    public readonly Conv2d conv2;
    public readonly ReLU relu2;
    public readonly MaxPool2d pool2;
    public readonly Flatten flatten;
    public readonly Linear fc;

    public TrainableGreyCnn28(int seed, int channels1 = 8, int kernel1 = 5) : base(nameof(TrainableGreyCnn28))
    {
        torch.manual_seed(seed);
        conv1 = nn.Conv2d(1, channels1, kernel1, padding: kernel1 / 2);
        relu1 = nn.ReLU();
        pool1 = nn.MaxPool2d(2);
        conv2 = nn.Conv2d(channels1, 16, 3, padding: 1);
        relu2 = nn.ReLU();
        pool2 = nn.MaxPool2d(2);
        flatten = nn.Flatten();
        fc = nn.Linear(16 * 7 * 7, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        fc.call(flatten.call(pool2.call(relu2.call(conv2.call(pool1.call(relu1.call(conv1.call(x))))))));

    /// <summary>Trains for some epochs with Adam(W); returns the last epoch's mean loss.</summary>
    public double Train(LabeledImages data, int epochs, double lr = 3e-3, double weightDecay = 0, int batchSize = 64, int seed = 1)
    {
        train();
        using var opt = torch.optim.AdamW(parameters(), lr: lr, weight_decay: weightDecay);
        double last = 0;
        for (int e = 0; e < epochs; e++)
        {
            double sum = 0; int count = 0;
            foreach (var (x, y) in data.LabeledBatches(batchSize, seed + e))
            {
                using var scope = NewDisposeScope();
                opt.zero_grad();
                var loss = nn.functional.cross_entropy(call(x), y);
                loss.backward();
                opt.step();
                sum += loss.item<float>(); count++;
            }
            last = sum / count;
        }
        eval();
        return last;
    }

    public double Accuracy(LabeledImages data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        eval();
        var pred = call(data.Images).argmax(1);
        return pred.eq(data.Labels).to(ScalarType.Float32).mean().item<float>();
    }
}
