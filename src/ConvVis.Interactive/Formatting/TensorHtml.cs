using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Formatting;

/// <summary>How a tensor shows in a notebook.</summary>
static class TensorHtml
{
    public static string Of(Tensor tensor)
    {
        if (tensor.IsInvalid) return SafeHtml.Note("This tensor has been disposed; its values are gone.");
        if (ConvVisDisplay.TensorsAsPictures)
        {
            if (tensor is TorchSharp.Modules.Parameter && tensor.dim() == 4 && tensor.is_floating_point())
                return TensorView.HeaderHtml(tensor) + FilterGrid.Of(tensor).ToHtml();
            if (TensorView.IsPicturable(tensor))
                return TensorView.ToHtml(tensor, ConvVisDisplay.MaxChannels);
        }
        return "<div><pre>" + Html.Escape(tensor.ToString(TorchSharp.TensorStringStyle.Default)) + "</pre></div>";
    }
}
