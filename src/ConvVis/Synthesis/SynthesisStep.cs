namespace ConvVis;

/// <summary>How an image-synthesis loop turns the gradient of its objective into a step.</summary>
public enum SynthesisStep
{
    /// <summary>Plain gradient ascent: x += rate · g (Simonyan et al.).</summary>
    Gradient,
    /// <summary>A step of fixed length: x += rate · g / ‖g‖₂, per image (the CS231n assignment).</summary>
    NormalizedGradient,
    /// <summary>Adam (β 0.9 / 0.999, ε 1e-8) on the variable (Lucid's default).</summary>
    Adam,
}

/// <summary>What an image-synthesis loop optimises.</summary>
public enum ImageParameterization
{
    /// <summary>The pixels of the model's input themselves.</summary>
    Pixels,
    /// <summary>
    /// The picture's Fourier spectrum, scaled by 1 / frequency, with decorrelated colours and a sigmoid into [0, 1]
    /// (Olah et al. 2017, Lucid); pictures come out smooth and within range without blur or clamping.
    /// </summary>
    Fourier,
}
