namespace ConvVis;

/// <summary>Statistics of one channel of one layer over every value of every input seen.</summary>
public sealed class ChannelStats
{
    internal ChannelStats(int channel, long values, double zeroFraction, double atOrBelowFraction, double mean, double std,
        double min, double max, long activeInputs, long inputs, Histogram histogram, double nearlyDeadFraction)
    {
        Channel = channel;
        Values = values;
        ZeroFraction = zeroFraction;
        AtOrBelowThresholdFraction = atOrBelowFraction;
        Mean = mean;
        Std = std;
        Min = min;
        Max = max;
        ActiveInputs = activeInputs;
        Inputs = inputs;
        Histogram = histogram;
        IsDead = inputs > 0 && activeInputs == 0;
        IsNearlyDead = !IsDead && inputs > 0 && ActiveFraction < nearlyDeadFraction;
    }

    /// <summary>Channel index.</summary>
    public int Channel { get; }

    /// <summary>Number of values seen (inputs × spatial positions).</summary>
    public long Values { get; }

    /// <summary>Fraction of values exactly 0 (the sparsity of a ReLU output).</summary>
    public double ZeroFraction { get; }

    /// <summary>Fraction of values at or below the threshold.</summary>
    public double AtOrBelowThresholdFraction { get; }

    /// <summary>Mean of all values.</summary>
    public double Mean { get; }

    /// <summary>Population standard deviation of all values.</summary>
    public double Std { get; }

    /// <summary>Smallest value.</summary>
    public double Min { get; }

    /// <summary>Largest value.</summary>
    public double Max { get; }

    /// <summary>Number of inputs on which the channel was active (its map's maximum above the threshold).</summary>
    public long ActiveInputs { get; }

    /// <summary>Number of inputs seen.</summary>
    public long Inputs { get; }

    /// <summary>Fraction of inputs on which the channel was active.</summary>
    public double ActiveFraction => Inputs == 0 ? 0 : (double)ActiveInputs / Inputs;

    /// <summary>Histogram of the channel's values (same bins for all channels of the layer).</summary>
    public Histogram Histogram { get; }

    /// <summary>Never above the threshold for any input seen.</summary>
    public bool IsDead { get; }

    /// <summary>Not dead, but active on fewer than <see cref="StatsOptions.NearlyDeadFraction"/> of the inputs.</summary>
    public bool IsNearlyDead { get; }
}
