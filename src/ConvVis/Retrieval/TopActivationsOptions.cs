namespace ConvVis;

/// <summary>Options of <see cref="TopActivations.Find(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, string, IReadOnlyList{int}?, InputBatches, TopActivationsOptions)"/>.</summary>
public sealed class TopActivationsOptions
{
    /// <summary>Inputs kept per unit (default 9).</summary>
    public int K { get; set; } = 9;

    /// <summary>Rank by the map's max (default) or mean.</summary>
    public UnitRanking Ranking { get; set; } = UnitRanking.Max;

    /// <summary>When no channels are given: rank only the first this many (null: all).</summary>
    public int? MaxChannels { get; set; }

    /// <summary>Stop after this many batches; null: the whole data set.</summary>
    public int? MaxBatches { get; set; }

    /// <summary>Names of the label values (e.g. <see cref="LabeledImages.ClassNames"/>), for captions; null: the numbers.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>Receives a <see cref="WorkProgress"/> after every batch.</summary>
    public IProgress<WorkProgress>? Progress { get; set; }

    /// <summary>Checked between batches; the model is left as it was when it fires.</summary>
    public CancellationToken CancellationToken { get; set; }
}
