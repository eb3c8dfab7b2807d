namespace ConvVis.AttributionCore;

/// <summary>Collects what a computation wants to tell the user besides the map: per-sample numbers and warnings.</summary>
internal sealed class AttributionContext(string method)
{
    private readonly Dictionary<string, double[]> _extras = new();
    private readonly List<string> _warnings = new();

    public string Method { get; } = method;

    public IReadOnlyDictionary<string, double[]> Extras => _extras;

    public IReadOnlyList<string> Warnings => _warnings;

    public void Set(string name, double[] perSample) => _extras[name] = perSample;

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
