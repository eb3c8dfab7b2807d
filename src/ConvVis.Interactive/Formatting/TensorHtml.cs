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
        if (tensor.numel() == 0) return TensorView.HeaderHtml(tensor);
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
        return "<div><pre>" + Html.Escape(tensor.ToString(TorchSharp.TensorStringStyle.Default)) + "</pre></div>";
    }
}
