using System.Runtime.InteropServices;
using ConvVis.Health;
using ConvVis.Internal;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>Whether a classifier gets each input of a labelled data set right (arg-max of its output equals the label).</summary>
public static class Predictions
{
    /// <summary>One flag per input, in data-set order; the model runs in eval mode under <c>no_grad</c> and its mode is restored.</summary>
    /// <param name="model">A classifier: [N, ...] → scores [N, classes].</param>
    /// <param name="data">Labelled batches (e.g. <see cref="LabeledImages"/>).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentException">A batch has no labels, or the output is not [N, classes].</exception>
    public static bool[] Correct(nn.Module<Tensor, Tensor> model, InputBatches data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var result = new List<bool>();
        using var mode = ModelStateGuard.ForInference(model, "Remove the registration that makes the model contain itself.");
        using var noGrad = no_grad();
        using var e = data.GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            if (!e.MoveNext()) break;
            var (x, labels) = (e.Current.Inputs, e.Current.Labels
                ?? throw new ArgumentException("The data has no labels; give LabeledImages or (images, labels) batches.", nameof(data)));
            var scores = model.call(x);
            if (scores.dim() != 2 || scores.shape[0] != x.shape[0])
                throw new ArgumentException($"The model's output has shape [{string.Join(", ", scores.shape)}]; a classifier gives [N, classes].", nameof(model));
            var right = scores.argmax(1).cpu().eq(labels.cpu().to(ScalarType.Int64)).to(ScalarType.Byte).contiguous();
            result.AddRange(MemoryMarshal.Cast<byte, byte>(right.bytes).ToArray().Select(b => b != 0));
        }
        return [.. result];
    }
}
