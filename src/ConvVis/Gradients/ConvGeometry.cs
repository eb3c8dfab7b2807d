using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Gradients;

/// <summary>
/// Everything about a <see cref="Conv2d"/> except its weights: channels, kernel, stride, padding (with its mode),
/// dilation and groups. Two layers with the same geometry run the same libtorch kernels, so a gradient self-check
/// is done once per geometry. <see cref="Apply"/> recomputes the layer as a plain function in any dtype, which is
/// how ConvVis gets float64 gradients of a float32 layer without touching the layer's parameters.
/// </summary>
internal sealed record ConvGeometry(
    long InChannels, long OutChannels, long KernelH, long KernelW, long StrideH, long StrideW,
    long DilationH, long DilationW, long Groups, long PadLeft, long PadRight, long PadTop, long PadBottom,
    PaddingModes PaddingMode)
{
    public static ConvGeometry Of(Conv2d conv)
    {
        long kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        long dh = conv.dilation[0], dw = conv.dilation[1];
        long top, bottom, left, right;
        if (conv.padding_type == Padding.Same)
        {
            // PyTorch's 'same': total padding dilation·(k−1), the odd pixel on the bottom/right.
            long th = dh * (kh - 1), tw = dw * (kw - 1);
            (top, bottom, left, right) = (th / 2, th - th / 2, tw / 2, tw - tw / 2);
        }
        else if (conv.padding_type == Padding.Valid || conv.padding is null || conv.padding.Length < 2)
        {
            (top, bottom, left, right) = (0, 0, 0, 0);
        }
        else
        {
            (top, bottom, left, right) = (conv.padding[0], conv.padding[0], conv.padding[1], conv.padding[1]);
        }
        return new ConvGeometry(conv.in_channels, conv.out_channels, kh, kw, conv.stride[0], conv.stride[1],
            dh, dw, conv.groups, left, right, top, bottom, conv.padding_mode);
    }

    /// <summary>"3→4, 3x3, stride 1, padding 1, dilation 1, groups 1" (padding mode when not zeros).</summary>
    public override string ToString()
    {
        string pad = PadTop == PadBottom && PadLeft == PadRight
            ? (PadTop == PadLeft ? $"{PadTop}" : $"{PadTop}x{PadLeft}")
            : $"{PadTop},{PadBottom},{PadLeft},{PadRight}";
        string stride = StrideH == StrideW ? $"{StrideH}" : $"{StrideH}x{StrideW}";
        string dilation = DilationH == DilationW ? $"{DilationH}" : $"{DilationH}x{DilationW}";
        string mode = PaddingMode == PaddingModes.Zeros ? "" : $" ({PaddingMode.ToString().ToLowerInvariant()})";
        return $"{InChannels}→{OutChannels}, {KernelH}x{KernelW}, stride {stride}, padding {pad}{mode}, dilation {dilation}, groups {Groups}";
    }

    /// <summary>
    /// The layer as a function of its input and weights, in their dtype: zero padding inside the convolution as the
    /// layer does it, any other padding (reflect, replicate, circular, the uneven 'same') explicit first.
    /// </summary>
    public Tensor Apply(Tensor x, Tensor weight, Tensor? bias)
    {
        if (PaddingMode == PaddingModes.Zeros && PadTop == PadBottom && PadLeft == PadRight)
            return nn.functional.conv2d(x, weight, bias, [StrideH, StrideW], [PadTop, PadLeft], [DilationH, DilationW], Groups);
        bool padded = PadLeft + PadRight + PadTop + PadBottom > 0;
        var input = padded
            ? nn.functional.pad(x, [PadLeft, PadRight, PadTop, PadBottom],
                PaddingMode == PaddingModes.Zeros ? PaddingModes.Constant : PaddingMode, 0)
            : x;
        return nn.functional.conv2d(input, weight, bias, [StrideH, StrideW], [0, 0], [DilationH, DilationW], Groups);
    }

    /// <summary>
    /// The gradient of the layer's input for <paramref name="gradOutput"/>, computed directly as the transposed
    /// convolution when the padding is zero and symmetric (no forward pass needed); null for other paddings.
    /// </summary>
    public Tensor? InputGradient(Tensor gradOutput, Tensor weight, long inputH, long inputW)
    {
        if (PaddingMode != PaddingModes.Zeros || PadTop != PadBottom || PadLeft != PadRight) return null;
        long outH = gradOutput.shape[2], outW = gradOutput.shape[3];
        // The rows and columns the strided forward never reached come back as output padding.
        long extraH = inputH - ((outH - 1) * StrideH - 2 * PadTop + DilationH * (KernelH - 1) + 1);
        long extraW = inputW - ((outW - 1) * StrideW - 2 * PadLeft + DilationW * (KernelW - 1) + 1);
        if (extraH < 0 || extraW < 0 || extraH >= Math.Max(StrideH, DilationH) || extraW >= Math.Max(StrideW, DilationW)) return null;
        return nn.functional.conv_transpose2d(gradOutput, weight, null, [StrideH, StrideW], [PadTop, PadLeft],
            [extraH, extraW], [DilationH, DilationW], Groups);
    }

    /// <summary>The input size (one side) that gives <paramref name="outputSize"/> outputs along that side.</summary>
    public long InputSizeFor(long outputSize, bool vertical)
    {
        long k = vertical ? KernelH : KernelW, s = vertical ? StrideH : StrideW, d = vertical ? DilationH : DilationW;
        long pad = vertical ? PadTop + PadBottom : PadLeft + PadRight;
        long size = (outputSize - 1) * s + d * (k - 1) + 1 - pad;
        // Reflection padding needs the input larger than the padding.
        long minimum = PaddingMode == PaddingModes.Reflect ? Math.Max(vertical ? PadTop : PadLeft, vertical ? PadBottom : PadRight) + 1 : 1;
        return Math.Max(size, minimum);
    }
}
