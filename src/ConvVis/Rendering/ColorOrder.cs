namespace ConvVis;

/// <summary>The order of a network's colour input channels.</summary>
public enum ColorOrder
{
    /// <summary>Channel 0 red, 1 green, 2 blue (PyTorch and most models).</summary>
    Rgb,
    /// <summary>Channel 0 blue, 1 green, 2 red (Caffe and CNTK models, such as the pretrained ResNet-18).</summary>
    Bgr,
}
