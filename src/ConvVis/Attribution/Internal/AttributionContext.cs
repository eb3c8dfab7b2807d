namespace ConvVis.Attributions.Internal;

/// <summary>Collects what a computation wants to tell the user besides the map: per-sample numbers and warnings.</summary>
internal sealed class AttributionContext(string method)
{
    private readonly List<string> _warnings = new();

    public string Method { get; } = method;

    /// <summary>f(x) of the target, per sample.</summary>
    public double[] TargetScores { get; set; } = [];

    /// <summary>Integrated gradients: f(baseline) of the target, per sample.</summary>
    public double[]? BaselineScores { get; set; }

    /// <summary>Integrated gradients: Σ attributions − (f(x) − f(baseline)), per sample.</summary>
    public double[]? ConvergenceDelta { get; set; }

    /// <summary>SmoothGrad: the noise's standard deviation, per sample.</summary>
    public double[]? NoiseSigma { get; set; }

    /// <summary>Occlusion: the number of window positions.</summary>
    public int? OcclusionWindows { get; set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public void Warn(string warning)
    {
        if (!_warnings.Contains(warning)) _warnings.Add(warning);
    }

    /// <summary>Takes over the warnings of a nested computation (SmoothGrad's inner method).</summary>
    public void WarnAll(IEnumerable<string> warnings)
    {
        foreach (var w in warnings) Warn(w);
    }
}
