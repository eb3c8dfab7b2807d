using System.Collections;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// A data set as a stream of batches: the one form in which every scan over data (activation statistics, dead filters,
/// top activations, codes) and every magic command takes it. Make one with <c>From</c> from whatever the data is:
/// one tensor [N, ...], a <see cref="LabeledImages"/> set, a sequence of batches, of (images, labels) pairs, of
/// tensor lists (a <c>TensorDataset</c> loader) or of dictionaries (a TorchSharp <c>DataLoader</c>). A tensor and a
/// <see cref="LabeledImages"/> set (in batches of <see cref="DefaultBatchSize"/>), an array or list of batches and a
/// data loader also convert implicitly; only a lazy sequence needs <c>From</c>.
/// </summary>
/// <remarks>
/// Nothing is copied or read ahead: batches are made while the consumer enumerates, so a consumer that opens a dispose
/// scope per batch (every scan in ConvVis does) frees the views and any tensors a lazy sequence or a data loader makes.
/// </remarks>
public sealed class InputBatches : IEnumerable<InputBatch>
{
    /// <summary>The batch size used when the data is one tensor or a <see cref="LabeledImages"/> set and none is given.</summary>
    public const int DefaultBatchSize = 64;

    readonly IEnumerable<InputBatch> _batches;

    InputBatches(IEnumerable<InputBatch> batches, int? count)
    {
        _batches = batches;
        Count = count;
    }

    /// <summary>The number of batches when it is known in advance (a tensor, a list, a data loader); null for a lazy sequence.</summary>
    public int? Count { get; }

    /// <summary>Batches of at most <paramref name="batchSize"/> rows of <paramref name="inputs"/> (views, made lazily).</summary>
    /// <param name="inputs">All inputs, [N, ...].</param>
    /// <param name="labels">Their labels, [N]; null: none.</param>
    /// <param name="batchSize">Rows per batch (the last batch may be smaller).</param>
    /// <exception cref="ArgumentException">The inputs are a scalar, or the labels do not have one entry per input.</exception>
    public static InputBatches From(Tensor inputs, Tensor? labels = null, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (inputs.dim() == 0) throw new ArgumentException("The inputs are a scalar; give a batch of inputs [N, ...].", nameof(inputs));
        long n = inputs.shape[0];
        if (labels is not null && (labels.dim() != 1 || labels.shape[0] != n))
            throw new ArgumentException(
                $"The labels must be [N] with N = {n} (one per input), but have shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        return new InputBatches(Split(inputs, labels, batchSize), (int)((n + batchSize - 1) / batchSize));
    }

    /// <summary>The images and labels of <paramref name="data"/> in batches of at most <paramref name="batchSize"/>, in order.</summary>
    /// <param name="data">The data set.</param>
    /// <param name="batchSize">Images per batch.</param>
    public static InputBatches From(LabeledImages data, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        return From(data.Images, data.Labels, batchSize);
    }

    /// <summary>Input batches as they are, without labels.</summary>
    /// <param name="batches">Batches [N, ...]: a list, or a lazy sequence (its tensors are freed batch by batch by the consumer's scope).</param>
    public static InputBatches From(IEnumerable<Tensor> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return new InputBatches(batches.Select(b => new InputBatch(b, null)), KnownCount(batches));
    }

    /// <summary>(images, labels) batches, e.g. <see cref="LabeledImages.LabeledBatches"/>.</summary>
    /// <param name="batches">Pairs of input batch [N, ...] and labels [N].</param>
    public static InputBatches From(IEnumerable<(Tensor Images, Tensor Labels)> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return new InputBatches(batches.Select(b => new InputBatch(b.Images, b.Labels)), KnownCount(batches));
    }

    /// <summary>The batches of a TorchSharp <c>DataLoader</c> over a <c>TensorDataset</c>: lists whose first tensor is the input and second, if any, the labels.</summary>
    /// <param name="batches">An <c>IterableDataLoader</c> or any sequence of tensor lists.</param>
    public static InputBatches From(IEnumerable<IList<Tensor>> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return new InputBatches(batches.Select(b => b.Count switch
        {
            0 => throw new ArgumentException("A batch is an empty list of tensors; the first tensor must be the input.", nameof(batches)),
            1 => new InputBatch(b[0], null),
            _ => new InputBatch(b[0], b[1]),
        }), KnownCount(batches));
    }

    /// <summary>The batches of a TorchSharp <c>DataLoader</c>: dictionaries with the input under <paramref name="inputKey"/> and, if present, the labels under <paramref name="labelKey"/>.</summary>
    /// <param name="batches">A <c>DataLoader</c> or any sequence of dictionaries of tensors.</param>
    /// <param name="inputKey">The key of the input tensor.</param>
    /// <param name="labelKey">The key of the labels (optional in each batch).</param>
    public static InputBatches From(IEnumerable<Dictionary<string, Tensor>> batches, string inputKey = "data", string labelKey = "label")
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(inputKey);
        ArgumentNullException.ThrowIfNull(labelKey);
        return new InputBatches(batches.Select(b => new InputBatch(
            b.TryGetValue(inputKey, out var x) ? x
                : throw new ArgumentException(
                    $"A batch has no tensor under the key '{inputKey}' (it has: {string.Join(", ", b.Keys)}). Give the right key: InputBatches.From(loader, inputKey: \"...\").",
                    nameof(batches)),
            b.TryGetValue(labelKey, out var y) ? y : null)), KnownCount(batches));
    }

    /// <summary>
    /// Any of the forms above, chosen by the runtime type of <paramref name="data"/> (for magic commands, which get the
    /// user's variable as an object).
    /// </summary>
    /// <param name="data">A tensor [N, ...], <see cref="LabeledImages"/>, <see cref="InputBatches"/>, or a sequence of batches of one of the forms above.</param>
    /// <param name="batchSize">Rows per batch when <paramref name="data"/> is one tensor or a <see cref="LabeledImages"/> set.</param>
    /// <param name="dataName">How error messages name the data, e.g. "--data 'images'".</param>
    /// <exception cref="ArgumentException">The data is none of these forms, or a scalar tensor; the message says what it is and what is accepted.</exception>
    public static InputBatches FromAny(object data, int batchSize = DefaultBatchSize, string dataName = "The data")
    {
        ArgumentNullException.ThrowIfNull(data);
        return data switch
        {
            InputBatches batches => batches,
            Tensor t when t.dim() >= 2 => From(t, null, batchSize),
            Tensor t => throw new ArgumentException(
                $"{dataName} is a tensor of shape [{string.Join(", ", t.shape)}]; give a batch of inputs [N, C, H, W]."),
            LabeledImages images => From(images, batchSize),
            IEnumerable<Tensor> batches => From(batches),
            IEnumerable<(Tensor, Tensor)> pairs => From(pairs),
            IEnumerable<IList<Tensor>> lists => From(lists),
            IEnumerable<Dictionary<string, Tensor>> dictionaries => From(dictionaries),
            _ => throw new ArgumentException(
                $"{dataName} is a {data.GetType().Name}; give a Tensor [N, C, H, W], LabeledImages, a DataLoader, or an IEnumerable of " +
                "Tensor, (Tensor, Tensor) or IList<Tensor> batches."),
        };
    }

    /// <summary>A tensor [N, ...] in batches of <see cref="DefaultBatchSize"/>.</summary>
    public static implicit operator InputBatches(Tensor inputs) => From(inputs);

    /// <summary>A <see cref="LabeledImages"/> set in batches of <see cref="DefaultBatchSize"/>.</summary>
    public static implicit operator InputBatches(LabeledImages data) => From(data);

    /// <summary>The same batches, with <paramref name="seen"/> told of each as it passes (the count stays known).</summary>
    internal InputBatches Observe(Action<InputBatch> seen) =>
        new(_batches.Select(b => { seen(b); return b; }), Count);

    /// <summary>Batches as they are (an array of tensors [N, ...]).</summary>
    public static implicit operator InputBatches(Tensor[] batches) => From(batches);

    /// <summary>Batches as they are (a list of tensors [N, ...]).</summary>
    public static implicit operator InputBatches(List<Tensor> batches) => From(batches);

    /// <summary>The batches of a TorchSharp <c>DataLoader</c> (input under "data", labels under "label").</summary>
    public static implicit operator InputBatches(DataLoader loader) => From(loader);

    /// <summary>The batches of a TorchSharp <c>DataLoader</c> over a <c>TensorDataset</c> (input first, labels second).</summary>
    public static implicit operator InputBatches(IterableDataLoader loader) => From(loader);

    /// <inheritdoc />
    public IEnumerator<InputBatch> GetEnumerator() => _batches.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    static IEnumerable<InputBatch> Split(Tensor inputs, Tensor? labels, int batchSize)
    {
        long n = inputs.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            long rows = Math.Min(batchSize, n - start);
            yield return new InputBatch(inputs.narrow(0, start, rows), labels?.narrow(0, start, rows));
        }
    }

    static int? KnownCount<T>(IEnumerable<T> batches) => batches switch
    {
        ICollection<T> c => c.Count,
        IReadOnlyCollection<T> c => c.Count,
        DataLoader d => (int)d.Count,
        IterableDataLoader d => (int)d.Count,
        _ => null,
    };
}
