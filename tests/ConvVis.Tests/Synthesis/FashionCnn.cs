using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Synthesis;

[CollectionDefinition(nameof(FashionCnnCollection))]
public class FashionCnnCollection : ICollectionFixture<FashionCnn>;

/// <summary>
/// A small CNN trained once, for every synthesis test, on 8,000 standardised Fashion-MNIST images (one epoch of Adam,
/// about 5 s here), with 1,000 test images. The test classes must not train or modify it.
/// </summary>
public sealed class FashionCnn : IDisposable
{
    public FashionCnn()
    {
        var clock = Stopwatch.StartNew();
        var train = FashionMnist.Load(train: true, limit: 8000);
        var test = FashionMnist.Load(train: false, limit: 1000);
        Mean = train.Images.mean().item<float>();
        Std = train.Images.std().item<float>();
        Space = ImageSpace.Standardized([Mean], [Std]);
        var standardizedTrain = new LabeledImages(train.Images.sub(Mean).div(Std), train.Labels, train.ClassNames);
        TestImages = test.Images.sub(Mean).div(Std).DetachFromDisposeScope();
        TestLabels = test.Labels.DetachFromDisposeScope();
        Net = Make(seed: 1);
        var optimizer = torch.optim.Adam(Net.parameters(), lr: 2e-3);
        Net.train();
        // Through the correction: on CPUs with libtorch's conv-gradient fault, training would otherwise get wrong
        // gradients for conv1 (the input gradient of conv2 feeds them).
        using (ConvGradientCorrection.Install(Net))
            foreach (var (x, y) in standardizedTrain.LabeledBatches(128, seed: 1))
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(Net.call(x), y).backward();
                optimizer.step();
            }
        Net.eval();
        TestAccuracy = Accuracy(TestImages);
        TrainingSeconds = clock.Elapsed.TotalSeconds;
    }

    public static nn.Module<Tensor, Tensor> Make(int seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 5, padding: 2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(32 * 7 * 7, 10)));
    }

    public nn.Module<Tensor, Tensor> Net { get; }
    public float Mean { get; }
    public float Std { get; }
    public ImageSpace Space { get; }
    public Tensor TestImages { get; }
    public Tensor TestLabels { get; }
    public double TestAccuracy { get; }
    public double TrainingSeconds { get; }

    /// <summary>Fraction of <paramref name="images"/> (model input) classified as <see cref="TestLabels"/> (same order).</summary>
    public double Accuracy(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var labels = TestLabels.narrow(0, 0, images.shape[0]);
        return Net.call(images).argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>The logits of model input, without a graph.</summary>
    public Tensor Logits(Tensor x)
    {
        using var _ = no_grad();
        return Net.call(x);
    }

    public void Dispose()
    {
        TestImages.Dispose();
        TestLabels.Dispose();
        Net.Dispose();
    }
}
