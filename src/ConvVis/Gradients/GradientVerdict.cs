namespace ConvVis;

/// <summary>What <see cref="GradientCheck"/> found for one layer.</summary>
public enum GradientVerdict
{
    /// <summary>The float32 gradients agree with float64 to <see cref="ConvGradientFault.Tolerance"/>.</summary>
    Right,
    /// <summary>A float32 gradient differs from float64 by more than <see cref="ConvGradientFault.Tolerance"/>, or is not finite.</summary>
    Wrong,
    /// <summary>No float64 reference for this layer (a type with parameters ConvVis cannot recompute, dropout in training mode, a non-float input).</summary>
    NotChecked,
}
