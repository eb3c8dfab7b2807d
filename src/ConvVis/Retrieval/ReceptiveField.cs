using System.Globalization;
using ConvVis.Capture;
using ConvVis.Retrieval;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Where a layer's units look in the input: unit (y, x) of the layer's output sees the input pixels of rows
/// <c>OffsetY + y·JumpY</c> .. <c>+ SizeY − 1</c> and columns <c>OffsetX + x·JumpX</c> .. <c>+ SizeX − 1</c>
/// (negative or past the border where the net pads). For a residual block the largest field over its branches.
/// </summary>
/// <param name="Layer">The layer's dotted name.</param>
/// <param name="SizeY">Field height in input pixels.</param>
/// <param name="SizeX">Field width in input pixels.</param>
/// <param name="JumpY">Input rows between neighbouring units (the product of the strides on the way).</param>
/// <param name="JumpX">Input columns between neighbouring units.</param>
/// <param name="OffsetY">First input row of unit (0, 0)'s field; negative when the net pads.</param>
/// <param name="OffsetX">First input column of unit (0, 0)'s field.</param>
/// <param name="CoversWholeInput">True when every unit sees the whole input (after global pooling, a flatten or a linear layer); the sizes are then the input's.</param>
public sealed record ReceptiveField(string Layer, int SizeY, int SizeX, int JumpY, int JumpX, int OffsetY, int OffsetX, bool CoversWholeInput)
{
    /// <summary>
    /// The receptive field of <paramref name="layer"/>'s units, found by one dry run: every module's output is tagged
    /// with its field (convolutions and pooling change it by kernel, stride, padding and dilation; elementwise layers
    /// keep it), tensors made outside modules (a residual addition, explicit padding) are recognised by their values,
    /// and where branches merge the largest field is kept.
    /// </summary>
    /// <param name="model">The model (Sequential, residual, or <see cref="OnnxModel"/>); its state is left as it was.</param>
    /// <param name="layer">The layer's dotted name (see <see cref="ModelLayers.All"/>).</param>
    /// <param name="inputShape">The input shape [N, C, H, W] (or [C, H, W]); none: [1, C, 224, 224] with C the first convolution's input channels (the field of a convolutional layer does not depend on the input size).</param>
    /// <exception cref="ArgumentException">No such layer (the message names the closest), or the layer never ran.</exception>
    /// <exception cref="NotSupportedException">A module on the way changes the spatial size in a way whose geometry is unknown (e.g. a transposed convolution or an upsampling).</exception>
    public static ReceptiveField Of(nn.Module<Tensor, Tensor> model, string layer, params long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ArgumentNullException.ThrowIfNull(inputShape);
        var target = ModelLayers.Get(model, layer);
        long[] shape = inputShape.Length switch
        {
            0 => [1, FirstConvChannels(model), 224, 224],
            3 => [1, .. inputShape],
            4 => inputShape,
            _ => throw new ArgumentException($"The input shape must be [N, C, H, W] or [C, H, W]; got [{string.Join(", ", inputShape)}].", nameof(inputShape)),
        };
        return FieldTrace.Run(model, layer, target, shape);
    }

    /// <summary>The field of unit (<paramref name="y"/>, <paramref name="x"/>) in input pixels, not clipped to the input.</summary>
    /// <param name="y">The unit's row in the layer's output.</param>
    /// <param name="x">The unit's column.</param>
    public (int Top, int Left, int Height, int Width) Region(int y, int x) =>
        CoversWholeInput ? (0, 0, SizeY, SizeX) : (OffsetY + y * JumpY, OffsetX + x * JumpX, SizeY, SizeX);

    /// <summary>"size 11x11, jump 4x4, offset -2,-2" (or "the whole input (HxW)").</summary>
    public override string ToString() => CoversWholeInput
        ? string.Create(CultureInfo.InvariantCulture, $"{Layer}: the whole input ({SizeY}x{SizeX})")
        : string.Create(CultureInfo.InvariantCulture, $"{Layer}: size {SizeY}x{SizeX}, jump {JumpY}x{JumpX}, offset {OffsetY},{OffsetX}");

    static long FirstConvChannels(nn.Module model)
    {
        foreach (var (_, m) in model.named_modules())
            if (m is Conv2d conv) return conv.in_channels;
        throw new ArgumentException("The model has no Conv2d layer to take the input channels from; give the input shape: ReceptiveField.Of(model, layer, 1, C, H, W).");
    }
}
