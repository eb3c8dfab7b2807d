using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Tests.Data;

public class InputBatchesTests
{
    static readonly Tensor Images = arange(10 * 2 * 3, dtype: float32).reshape(10, 2, 3);
    static readonly Tensor Labels = arange(10, dtype: int64);

    /// <summary>Every batch as (first row's first value, row count, first label or -1): enough to tell batches apart.</summary>
    static (float First, long Rows, long Label)[] Read(InputBatches batches) =>
        batches.Select(b => (b.Inputs.flatten()[0].item<float>(), b.Count, b.Labels is null ? -1L : b.Labels[0].item<long>())).ToArray();

    [Fact]
    public void EveryFormGivesTheSameBatchesInOrderWithLabelsWhereTheDataHasThem()
    {
        (float, long, long)[] labelled = [(0, 4, 0), (24, 4, 4), (48, 2, 8)];
        (float, long, long)[] unlabelled = [(0, 4, -1), (24, 4, -1), (48, 2, -1)];
        var pieces = new[] { Images[..4], Images[4..8], Images[8..] };
        var labelPieces = new[] { Labels[..4], Labels[4..8], Labels[8..] };

        Assert.Equal(labelled, Read(InputBatches.From(Images, Labels, batchSize: 4)));
        Assert.Equal(unlabelled, Read(InputBatches.From(Images, batchSize: 4)));
        Assert.Equal(unlabelled, Read(pieces));                                        // an array converts implicitly
        Assert.Equal(unlabelled, Read(pieces.ToList()));                               // so does a list
        Assert.Equal(labelled, Read(InputBatches.From(pieces.Zip(labelPieces))));      // (images, labels) pairs
        Assert.Equal(labelled, Read(InputBatches.From(pieces.Zip(labelPieces, (x, y) => (IList<Tensor>)[x, y]))));
        Assert.Equal(labelled, Read(InputBatches.From(pieces.Zip(labelPieces, (x, y) => new Dictionary<string, Tensor> { ["data"] = x, ["label"] = y }))));

        using var set = new LabeledImages(Images.reshape(10, 1, 2, 3).clone(), Labels.clone(), ["a"]);
        Assert.Equal(labelled, Read(InputBatches.From(set, batchSize: 4)));
    }

    [Fact]
    public void TheBatchCountIsKnownWhereTheDataTellsIt()
    {
        Assert.Equal(3, InputBatches.From(Images, batchSize: 4).Count);
        Assert.Equal(1, ((InputBatches)Images).Count);                                 // the default batch size, 64
        Assert.Equal(2, ((InputBatches)new[] { Images, Images }).Count);
        Assert.Null(InputBatches.From(Enumerable.Range(0, 2).Select(_ => Images)).Count);

        using var dataset = torch.utils.data.TensorDataset(Images, Labels);
        using var loader = torch.utils.data.DataLoader(dataset, batchSize: 3);
        var batches = InputBatches.FromAny(loader);
        Assert.Equal(4, batches.Count);
        Assert.Equal(new long[] { 3, 3, 3, 1 }, batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.NotNull(b.Labels));
    }

    [Fact]
    public void BadDataIsRefusedWithWhatItIsAndWhatIsAccepted()
    {
        var scalar = Assert.Throws<ArgumentException>(() => InputBatches.FromAny(tensor(1f), dataName: "--data 'x'"));
        Assert.Contains("--data 'x' is a tensor of shape []; give a batch of inputs [N, C, H, W]", scalar.Message);
        var text = Assert.Throws<ArgumentException>(() => InputBatches.FromAny("pictures"));
        Assert.Contains("The data is a String; give a Tensor [N, C, H, W], LabeledImages, a DataLoader", text.Message);
        var labels = Assert.Throws<ArgumentException>(() => InputBatches.From(Images, Labels[..9]));
        Assert.Contains("one per input", labels.Message);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => InputBatches.From(Images, batchSize: 0));
        Assert.Contains("at least 1", size.Message);
        var key = Assert.Throws<ArgumentException>(() =>
            InputBatches.From(new[] { new Dictionary<string, Tensor> { ["image"] = Images } }).First());
        Assert.Contains("no tensor under the key 'data' (it has: image)", key.Message);
        Assert.Contains("inputKey", key.Message);
    }

    [Fact]
    public void ALazySequenceIsReadOnlyAsTheConsumerAsks()
    {
        int made = 0;
        var lazy = InputBatches.From(Enumerable.Range(0, 5).Select(_ => { made++; return Images; }));
        Assert.Equal(0, made);
        Assert.Equal(2, lazy.Take(2).Count());
        Assert.Equal(2, made);
    }
}
