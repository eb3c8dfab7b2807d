using System.Globalization;

namespace ConvVis;

/// <summary>The result of <see cref="TopActivations.Find(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, string, IReadOnlyList{int}?, InputBatches, TopActivationsOptions)"/>: per unit its top inputs. Shows as a grid of the top images (<see cref="ToHtml"/>); <see cref="Grid"/> draws the patches.</summary>
public sealed class TopActivationsResult : IHtmlView
{
    internal TopActivationsResult(string layer, UnitRanking ranking, int k, IReadOnlyList<UnitTopActivations> units, ReceptiveField? field,
        string? fieldProblem, long inputs, int batches, IReadOnlyList<string>? classNames)
    {
        Layer = layer; Ranking = ranking; K = k; Units = units; Field = field; FieldProblem = fieldProblem; Inputs = inputs; Batches = batches; ClassNames = classNames;
    }

    /// <summary>The layer's dotted name.</summary>
    public string Layer { get; }

    /// <summary>What the inputs were ranked by.</summary>
    public UnitRanking Ranking { get; }

    /// <summary>Inputs kept per unit.</summary>
    public int K { get; }

    /// <summary>One entry per requested channel, in the order asked.</summary>
    public IReadOnlyList<UnitTopActivations> Units { get; }

    /// <summary>The layer's receptive field, from which the patches are cut; null when it could not be traced (see <see cref="FieldProblem"/>).</summary>
    public ReceptiveField? Field { get; }

    /// <summary>Why the receptive field is unknown (then every patch is the whole image); null when it is known.</summary>
    public string? FieldProblem { get; }

    /// <summary>Inputs scanned.</summary>
    public long Inputs { get; }

    /// <summary>Batches scanned.</summary>
    public int Batches { get; }

    /// <summary>Names of the label values, when given.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The unit for <paramref name="channel"/>.</summary>
    /// <param name="channel">A channel that was ranked.</param>
    /// <exception cref="ArgumentException">The channel was not among those ranked.</exception>
    public UnitTopActivations this[int channel] => Units.FirstOrDefault(u => u.Channel == channel)
        ?? throw new ArgumentException($"Channel {channel} was not ranked; ranked: {string.Join(", ", Units.Select(u => u.Channel))}.", nameof(channel));

    /// <summary>The label's name (or number) for captions; empty without a label.</summary>
    /// <param name="label">A label value.</param>
    public string LabelText(long? label) => label is not long l ? ""
        : ClassNames is { } names && l >= 0 && l < names.Count ? names[(int)l] : l.ToString(CultureInfo.InvariantCulture);

    /// <summary>A grid with a row per unit: its top images, or with <paramref name="patches"/> the receptive-field patches around each maximum.</summary>
    /// <param name="patches">Show patches instead of whole images.</param>
    /// <param name="options">Tile size and picture limits.</param>
    public TopActivationsGrid Grid(bool patches = false, TopActivationsGridOptions? options = null) => TopActivationsGrid.Of(this, patches, options);

    /// <summary>The grid of top images.</summary>
    public string ToHtml() => Grid().ToHtml();
}
