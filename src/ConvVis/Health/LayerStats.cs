namespace ConvVis;

/// <summary>Statistics of one layer's outputs over a scan (see <see cref="ActivationStats"/>).</summary>
public sealed class LayerStats
{
    internal LayerStats(string name, string typeName, long[] outputShape, long inputs, long calls, float threshold,
        IReadOnlyList<ChannelStats> channels, Histogram histogram, (double Mean, double Std) moments)
    {
        Name = name;
        TypeName = typeName;
        OutputShape = outputShape;
        Inputs = inputs;
        Calls = calls;
        Threshold = threshold;
        Channels = channels;
        Histogram = histogram;
        Mean = moments.Mean;
        Std = moments.Std;
        long values = channels.Sum(c => c.Values);
        Values = values;
        Sparsity = values == 0 ? 0 : channels.Sum(c => c.ZeroFraction * c.Values) / values;
        AtOrBelowThresholdFraction = values == 0 ? 0 : channels.Sum(c => c.AtOrBelowThresholdFraction * c.Values) / values;
        Max = channels.Count == 0 ? double.NaN : channels.Max(c => c.Max);
        Min = channels.Count == 0 ? double.NaN : channels.Min(c => c.Min);
        DeadChannels = channels.Where(c => c.IsDead).Select(c => c.Channel).ToArray();
        NearlyDeadChannels = channels.Where(c => c.IsNearlyDead).Select(c => c.Channel).ToArray();
    }

    /// <summary>The layer's dotted name in the model.</summary>
    public string Name { get; }

    /// <summary>The layer's module type (Conv2d, ReLU, …).</summary>
    public string TypeName { get; }

    /// <summary>Shape of one input's output (without the batch dimension), e.g. [C, H, W].</summary>
    public IReadOnlyList<long> OutputShape { get; }

    /// <summary>Number of inputs (samples) seen; a module called twice per forward pass counts each call.</summary>
    public long Inputs { get; }

    /// <summary>Number of times the layer ran (batches × calls per forward).</summary>
    public long Calls { get; }

    /// <summary>The threshold used for "active" and "at or below".</summary>
    public float Threshold { get; }

    /// <summary>Number of values seen over all channels.</summary>
    public long Values { get; }

    /// <summary>Fraction of values exactly 0 over all channels.</summary>
    public double Sparsity { get; }

    /// <summary>Fraction of values at or below the threshold over all channels.</summary>
    public double AtOrBelowThresholdFraction { get; }

    /// <summary>Mean of all values.</summary>
    public double Mean { get; }

    /// <summary>Population standard deviation of all values.</summary>
    public double Std { get; }

    /// <summary>Largest value.</summary>
    public double Max { get; }

    /// <summary>Smallest value.</summary>
    public double Min { get; }

    /// <summary>Histogram of all values of the layer.</summary>
    public Histogram Histogram { get; }

    /// <summary>Per-channel statistics, index = channel.</summary>
    public IReadOnlyList<ChannelStats> Channels { get; }

    /// <summary>Channels never above the threshold for any input seen.</summary>
    public IReadOnlyList<int> DeadChannels { get; }

    /// <summary>Channels active on fewer than the nearly-dead fraction of inputs (dead ones excluded).</summary>
    public IReadOnlyList<int> NearlyDeadChannels { get; }
}
