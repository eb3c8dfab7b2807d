using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

// Operators that become layers beyond the classic CNN set: transposed convolution, the other
// normalisations, parametric and newer activations, and upsampling.
internal sealed partial class OnnxNodeCompiler
{
    private void ConvTranspose()
    {
        var w = Const(1, "weights");
        if (w.dim() != 4)
            throw Unsupported($"only 2-D transposed convolutions are supported; the weights have shape {Dims(w)}");
        long group = _attrs.Int("group", 1);
        if (group < 1) throw Invalid($"group is {group}; it must be at least 1");
        if (w.shape.Any(d => d == 0)) throw Invalid($"the weights have shape {Dims(w)}, with no filters or an empty kernel");
        if (w.shape[0] % group != 0) throw Invalid($"{w.shape[0]} input channels cannot be split into {group} groups");
        long[] kernel = { w.shape[2], w.shape[3] };
        if (_attrs.Ints("kernel_shape") is { } ks && !ks.SequenceEqual(kernel))
            throw Unsupported($"kernel_shape [{string.Join(", ", ks)}] differs from the weights' [{string.Join(", ", kernel)}]");
        long[] strides = Pair("strides"), dilations = Pair("dilations");
        long[] outputPadding = _attrs.Ints("output_padding") ?? new long[2];
        if (outputPadding.Length != 2) throw Unsupported($"output_padding [{string.Join(", ", outputPadding)}] is not 2-D");
        if (_attrs.Has("output_shape")) throw Unsupported("output_shape is not supported (give pads instead)");
        string autoPad = _attrs.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID")) throw Unsupported($"auto_pad '{autoPad}' is not supported");
        var pads = _attrs.Ints("pads") ?? new long[4];
        if (autoPad == "VALID") pads = new long[4];
        if (pads.Length != 4 || pads[0] != pads[2] || pads[1] != pads[3] || pads.Any(p => p < 0))
            throw Unsupported($"pads [{string.Join(", ", pads)}] are not symmetric");
        if (strides.Concat(dilations).Any(v => v < 1))
            throw Invalid("strides and dilations must be at least 1");
        Tensor? bias = HasInput(2) ? Const(2, "bias") : null;
        long outputs = w.shape[1] * group;
        if (bias is not null) RequireVector(bias, outputs, "the bias");
        var conv = nn.ConvTranspose2d(w.shape[0], outputs, (kernel[0], kernel[1]), stride: (strides[0], strides[1]),
            padding: (pads[0], pads[1]), output_padding: (outputPadding[0], outputPadding[1]),
            dilation: (dilations[0], dilations[1]), groups: group, bias: bias is not null);
        Assign(conv.weight, w);
        if (bias is not null) Assign(conv.bias, bias);
        Layer(conv, 4);
    }

    private void InstanceNorm()
    {
        var scale = Const(1, "scale");
        var shift = Const(2, "bias");
        if (scale.dim() != 1 || scale.shape[0] == 0)
            throw Invalid($"the scale has shape {Dims(scale)}, but it must be a vector with one value per channel");
        RequireVector(shift, scale.shape[0], "the bias");
        var norm = nn.InstanceNorm2d(scale.shape[0], _attrs.Float("epsilon", 1e-5f), affine: true);
        Assign(norm.weight, scale);
        Assign(norm.bias, shift);
        Layer(norm, 4);
    }

    private void LayerNorm()
    {
        var scale = Const(1, "scale");
        long axis = _attrs.Int("axis", -1);
        _attrs.Ignore("stash_type");   // the precision of the statistics; float32 here either way
        if (scale.dim() == 0 || scale.shape.Any(d => d == 0))
            throw Invalid($"the scale has shape {Dims(scale)}");
        Tensor? shift = HasInput(2) ? Const(2, "bias") : null;
        if (shift is not null && !shift.shape.SequenceEqual(scale.shape))
            throw Invalid($"the bias has shape {Dims(shift)}, the scale {Dims(scale)}; they must be equal");
        var norm = nn.LayerNorm(scale.shape, _attrs.Float("epsilon", 1e-5f));
        Assign(norm.weight, scale);
        if (shift is not null) Assign(norm.bias, shift);
        else using (torch.no_grad()) norm.bias!.zero_();
        long normalized = scale.dim();
        string node = NodeKey;
        Layer(norm, 0, x =>
        {
            // LayerNorm normalises over the scale's dimensions; ONNX over those from axis on: they must coincide.
            long from = axis < 0 ? axis + x.dim() : axis;
            if (x.dim() - from != normalized)
                throw new ArgumentException($"LayerNormalization '{node}' normalises from axis {axis} of a {x.dim()}-D input, but its scale has {normalized} dimensions.");
            return x.alias();
        });
    }

    private void Lrn()
    {
        long size = _attrs.Int("size", 0);
        if (size < 1) throw Invalid($"size is {size}; it must be at least 1");
        // An even window is centred differently by ONNX (one more channel after) and torch (one more before).
        if (size % 2 == 0) throw Unsupported($"an even size ({size}) is not supported");
        Layer(nn.LocalResponseNorm(size, _attrs.Float("alpha", 1e-4f), _attrs.Float("beta", 0.75f), _attrs.Float("bias", 1f)), 4);
    }

    private void PRelu()
    {
        if (!InputIsConstant(1))
        {
            Elementwise((x, slope) => torch.where(x.ge(0), x, x * slope));
            return;
        }
        var slope = Const(1, "slope");
        // One slope, or one per channel as [C, 1, ..., 1] (which broadcasts onto dimension 1): torch's PReLU.
        bool perChannel = slope.dim() >= 1 && slope.shape.Skip(1).All(d => d == 1);
        if (slope.numel() == 1 || perChannel)
        {
            long channels = slope.numel();
            var prelu = nn.PReLU(channels, 0.25);
            Assign(prelu.weight, slope.reshape(-1));
            long rank = slope.numel() == 1 ? 0 : slope.dim() + 1;
            Layer(prelu, (int)rank);
            return;
        }
        Elementwise((x, s) => torch.where(x.ge(0), x, x * s));
    }

    private void Selu()
    {
        float alpha = _attrs.Float("alpha", 1.67326319217681884765625f), gamma = _attrs.Float("gamma", 1.05070102214813232421875f);
        if (Math.Abs(alpha - 1.6732632f) > 1e-5f || Math.Abs(gamma - 1.050701f) > 1e-5f)
            throw Unsupported($"alpha {alpha} and gamma {gamma} differ from SELU's constants");
        Layer(nn.SELU());
    }

    private void Gelu()
    {
        string approximate = _attrs.String("approximate", "none");
        if (approximate != "none") throw Unsupported($"approximate '{approximate}' is not supported (the exact, erf form is)");
        Layer(nn.GELU());
    }

    /// <summary>Resize (opset 10+) and Upsample (opset 7-9) of the two spatial dimensions: nearest (floor, as
    /// PyTorch) and bilinear (half-pixel or align-corners), as an Upsample layer.</summary>
    private void Resize()
    {
        string mode = _attrs.String("mode", "nearest");
        bool isUpsample = _node.OpType == "Upsample";
        string transform = isUpsample || _opset < 11 ? "asymmetric" : _attrs.String("coordinate_transformation_mode", "half_pixel");
        string nearestMode = _opset >= 11 && !isUpsample ? _attrs.String("nearest_mode", "round_prefer_floor") : "floor";
        _attrs.Ignore("cubic_coeff_a", "exclude_outside", "extrapolation_value");
        if (_attrs.Int("antialias", 0) != 0) throw Unsupported("antialias is not supported");
        if (_attrs.Has("axes")) throw Unsupported("axes are not supported");
        if (_attrs.String("keep_aspect_ratio_policy", "stretch") != "stretch") throw Unsupported("keep_aspect_ratio_policy is not supported");

        float[]? scales = null;
        long[]? sizes = null;
        if (isUpsample && _opset < 9) scales = _attrs.Floats("scales");
        else if (isUpsample || _opset < 11) scales = HasInput(1) ? Const(1, "scales").to_type(ScalarType.Float32).data<float>().ToArray() : null;
        else
        {
            if (HasInput(3)) sizes = ConstLongs(3, "sizes");
            else if (HasInput(2)) scales = Const(2, "scales").to_type(ScalarType.Float32).data<float>().ToArray();
        }
        if (scales is { Length: 0 }) scales = null;
        if (scales is null && sizes is null) throw Invalid("it has neither scales nor sizes");
        if ((scales?.Length ?? sizes!.Length) != 4)
            throw Unsupported("only 4-D inputs [N, C, H, W] are supported");
        if (scales is not null && (scales[0] != 1 || scales[1] != 1 || scales[2] <= 0 || scales[3] <= 0))
            throw Unsupported($"scales [{string.Join(", ", scales)}] must be 1 for N and C and positive for H and W");

        UpsampleMode torchMode;
        bool? alignCorners = null;
        switch (mode)
        {
            case "nearest":
                if (transform != "asymmetric" || nearestMode != "floor")
                    throw Unsupported($"nearest with coordinate_transformation_mode '{transform}' and nearest_mode '{nearestMode}' is not supported (asymmetric with floor, PyTorch's nearest, is)");
                torchMode = UpsampleMode.Nearest;
                break;
            case "linear" when !isUpsample && transform is "half_pixel" or "pytorch_half_pixel" or "align_corners":
                torchMode = UpsampleMode.Bilinear;
                alignCorners = transform == "align_corners";
                break;
            default:
                throw Unsupported($"mode '{mode}' with coordinate_transformation_mode '{transform}' is not supported (nearest, and linear with half_pixel or align_corners, are)");
        }
        var layer = sizes is not null
            ? nn.Upsample(size: new[] { sizes[2], sizes[3] }, mode: torchMode, align_corners: alignCorners)
            : nn.Upsample(scale_factor: new double[] { scales![2], scales[3] }, mode: torchMode, align_corners: alignCorners);
        if (sizes is not null)
        {
            long n = sizes[0], c = sizes[1];
            Layer(layer, 4, x => x.shape[0] == n && x.shape[1] == c ? x.alias()
                : throw new ArgumentException($"Resize to sizes [{string.Join(", ", sizes)}] would change N or C of an input [{string.Join(", ", x.shape)}]."));
            return;
        }
        Layer(layer, 4);
    }
}
