using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Formatting;

/// <summary>How a tensor shows in a notebook.</summary>
static class TensorHtml
{
    public static string Of(Tensor tensor)
    {
        if (tensor.IsInvalid) return SafeHtml.Note("This tensor has been disposed; its values are gone.");
        // TorchSharp's own printer fails on empty tensors ("Sequence contains no elements"); the header says "(empty)".
        // Nor is there anything to print of a meta tensor but its shape, which the header shows.
        if (tensor.numel() == 0 || tensor.device_type == DeviceType.META) return TensorView.HeaderHtml(tensor);
        if (ConvVisDisplay.TensorsAsPictures)
        {
            if (tensor is TorchSharp.Modules.Parameter && tensor.dim() == 4 && tensor.is_floating_point())
            {
                try
                {
                    return TensorView.HeaderHtml(tensor) + FilterGrid.Of(tensor).ToHtml();
                }
                catch (ArgumentException)
                {
                    // Not drawable as filters (kernels far too big for tiles, no values): shown like any other tensor,
                    // which downsamples big maps and explains what it cannot draw.
                    return TensorView.ToHtml(tensor, ConvVisDisplay.MaxChannels);
                }
            }
            if (TensorView.IsPicturable(tensor))
                return TensorView.ToHtml(tensor, ConvVisDisplay.MaxChannels);
        }
        if (tensor.numel() <= PrintedInFull)
            return "<div><pre>" + Html.Escape(tensor.ToString(TorchSharp.TensorStringStyle.Default)) + "</pre></div>";
        // TorchSharp's default (Julia) style prints every slice of the leading dimensions: seconds for an int [512, 13, 17],
        // minutes for an expanded [4096, 2048, 2048]. The numpy style elides every dimension to a few entries.
        return "<div>" + TensorView.HeaderHtml(tensor) + "<pre>" + Html.Escape(tensor.ToString(TorchSharp.TensorStringStyle.Numpy)) + "</pre></div>";
    }

    /// <summary>Tensors up to this many values print in the user's chosen style; bigger ones get the header and an elided print.</summary>
    const long PrintedInFull = 1000;
}
