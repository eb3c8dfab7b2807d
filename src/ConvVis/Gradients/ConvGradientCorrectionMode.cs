namespace ConvVis;

/// <summary>Which conv layers get their backward pass recomputed in float64 (see <see cref="ConvGradientFault"/>).</summary>
public enum ConvGradientCorrectionMode
{
    /// <summary>The layers whose geometry fails the float32-vs-float64 self-check on this machine (the default).</summary>
    Auto,
    /// <summary>Every conv layer, whatever the self-check says (slower; for testing the correction on any machine).</summary>
    Always,
    /// <summary>None: libtorch's own float32 backward everywhere.</summary>
    Never,
}
