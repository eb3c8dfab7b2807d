namespace ConvVis;

/// <summary>One layer of a <see cref="GradientCheckReport"/>.</summary>
/// <param name="Layer">The layer's dotted name.</param>
/// <param name="Type">The module type, e.g. <c>Conv2d</c>.</param>
/// <param name="InputShape">The shape of the layer's input in the checked forward pass.</param>
/// <param name="InputGradientError">max |float32 − float64| / max |float64| of the gradient of the layer's input; NaN when not finite; null when not checked.</param>
/// <param name="ParameterGradientError">The largest such error over the layer's parameters; null when it has none or was not checked.</param>
/// <param name="Verdict">Right, wrong, or not checked.</param>
/// <param name="Note">Why a layer was not checked, or what is wrong.</param>
public sealed record GradientCheckRow(
    string Layer, string Type, long[] InputShape, double? InputGradientError, double? ParameterGradientError,
    GradientVerdict Verdict, string Note);
