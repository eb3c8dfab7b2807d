using ConvVis.Capture;
using ConvVis.Gradients;
using ConvVis.Health;
using ConvVis.Internal;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Retrieval;

/// <summary>The field of one tensor's units: size, jump and first row/column in input pixels, or the whole input.</summary>
internal readonly record struct Field(long SizeY, long SizeX, long JumpY, long JumpX, long OffsetY, long OffsetX, bool Global)
{
    public static Field Pixel => new(1, 1, 1, 1, 0, 0, false);

    public long Area => Global ? long.MaxValue : SizeY * SizeX;

    /// <summary>After a sliding window of kernel k, stride s, padding p and dilation d in each direction.</summary>
    public Field Window(long kh, long kw, long sh, long sw, long ph, long pw, long dh, long dw) => Global ? this : new(
        SizeY + dh * (kh - 1) * JumpY, SizeX + dw * (kw - 1) * JumpX,
        JumpY * sh, JumpX * sw,
        OffsetY - ph * JumpY, OffsetX - pw * JumpX, false);

    /// <summary>After padding the tensor by <paramref name="top"/> rows and <paramref name="left"/> columns: unit i is the old unit i − top.</summary>
    public Field Shifted(long top, long left) => Global ? this : this with { OffsetY = OffsetY - top * JumpY, OffsetX = OffsetX - left * JumpX };
}

/// <summary>
/// One dry run that tags every module output with its <see cref="Field"/>. Module inputs are recognised among the
/// outputs seen so far by their values (equal, or equal inside zero/−∞ padding); an input made outside any module
/// from several branches (a residual sum) gets the largest field among the outputs of its spatial size. The run
/// stops as soon as the wanted layer has produced its output, so layers after it (a linear layer sized for another
/// input) never run.
/// </summary>
internal sealed class FieldTrace
{
    const long MaxPadding = 16;

    readonly List<(Tensor Value, Field Field)> _seen = [];
    readonly Dictionary<nn.Module, Stack<(Field? Input, int Start)>> _calls = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<nn.Module, string> _names = new(ReferenceEqualityComparer.Instance);
    ReceptiveField? _result;
    readonly string _layer;
    readonly nn.Module _target;
    long _inputH, _inputW;

    FieldTrace(string layer, nn.Module target) { _layer = layer; _target = target; }

    sealed class Found : Exception;

    public static ReceptiveField Run(nn.Module<Tensor, Tensor> model, string layer, nn.Module target, long[] shape)
    {
        if (target is not nn.Module<Tensor, Tensor>)
            throw new ArgumentException($"Layer '{layer}' is a {ModelLayers.TypeName(target)}, which does not map one tensor to one tensor; pick a convolution, pooling or activation layer.", nameof(layer));
        var trace = new FieldTrace(layer, target);
        using var scope = NewDisposeScope();
        using var hooks = new HookSet();
        using var mode = ModelStateGuard.ForInference(model, "Remove the registration that makes the model contain itself.");
        using var noGrad = no_grad();
        var dtype = model.parameters().Select(p => p.dtype).FirstOrDefault(ScalarType.Float32);
        // Random values, so that different tensors almost surely differ and recognising one by its values is safe.
        var generator = new TorchSharp.torch.Generator(20240601);
        var x = rand(shape, dtype, generator: generator) + 0.5;
        trace._inputH = shape[2]; trace._inputW = shape[3];
        trace._seen.Add((x, Field.Pixel));
        foreach (var (name, m) in model.named_modules().Prepend(("", model)))
        {
            if (m is not nn.Module<Tensor, Tensor> hookable) continue;
            trace._names[m] = name;
            hooks.AddForwardPreHook(hookable, input => trace.Enter(m, input));
            hooks.AddForwardHook(hookable, (input, output) => trace.Leave(m, input, output));
        }
        try
        {
            model.call(x);
        }
        catch (Exception) when (trace._result is not null)
        {
            // The wanted layer has run (Found, possibly wrapped by the model's own error handling): stop here.
        }
        catch (Exception e) when (e is not NotSupportedException)
        {
            // A model that wraps errors of its layers (an ONNX graph does) still reports an untraceable layer as such.
            for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
                if (inner is NotSupportedException unsupported) throw unsupported;
            throw new ArgumentException($"The dry run with an input of shape [{string.Join(", ", shape)}] failed before layer '{layer}' ran: {e.Message} Give the input shape the model expects: ReceptiveField.Of(model, \"{layer}\", N, C, H, W).", nameof(shape), e);
        }
        return trace._result ?? throw new ArgumentException(
            $"Layer '{layer}' never ran in the model's forward pass (it may be called through forward() instead of call(), or not used), so its receptive field cannot be traced.", nameof(layer));
    }

    void Enter(nn.Module m, Tensor input)
    {
        if (!_calls.TryGetValue(m, out var stack)) _calls[m] = stack = new();
        var field = Recognise(input, out bool seenBefore);
        // An input made outside any module (preprocessing, a residual sum) is remembered too, so that a padded copy of
        // it, made later inside a module, is still recognised by its values.
        if (field is Field f && !seenBefore && input.dim() >= 3) _seen.Add((input.detach().clone(), f));
        stack.Push((field, _seen.Count));
    }

    void Leave(nn.Module m, Tensor input, Tensor output)
    {
        var (inField, start) = _calls[m].Pop();
        bool leaf = !m.named_children().Any();
        Field? field = leaf ? Transform(m, inField, input, output) : Recognise(output, start);
        if (field is Field f)
            _seen.Add((output.detach().clone(), f));
        if (ReferenceEquals(m, _target))
        {
            if (field is not Field r)
                throw new NotSupportedException($"The receptive field of layer '{_layer}' cannot be traced: its input could not be followed back to the model's input.");
            long sy = r.Global ? _inputH : r.SizeY, sx = r.Global ? _inputW : r.SizeX;
            _result = new ReceptiveField(_layer, (int)sy, (int)sx, (int)(r.Global ? sy : r.JumpY), (int)(r.Global ? sx : r.JumpX),
                r.Global ? 0 : (int)r.OffsetY, r.Global ? 0 : (int)r.OffsetX, r.Global);
            throw new Found();
        }
    }

    Field? Transform(nn.Module m, Field? input, Tensor x, Tensor y)
    {
        if (input is not Field f) return null;
        if (y.dim() < 3 || f.Global) return f with { Global = true };
        if (x.dim() < 3) return f with { Global = true };
        switch (m)
        {
            case Conv2d conv:
                if (conv.transposed) break;
                var g = ConvGeometry.Of(conv);
                return f.Window(g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.DilationH, g.DilationW);
            case MaxPool2d pool:
                return Pool(f, pool.kernel_size, pool.stride, pool.padding, pool.dilation);
            case AvgPool2d pool:
                return Pool(f, pool.kernel_size, pool.stride, pool.padding, null);
        }
        long xh = x.shape[^2], xw = x.shape[^1], yh = y.shape[^2], yw = y.shape[^1];
        if (yh == xh && yw == xw) return f;                      // elementwise: activations, normalisation, dropout
        if (yh == 1 && yw == 1) return f with { Global = true };   // global (adaptive) pooling
        throw new NotSupportedException(
            $"Layer '{_names.GetValueOrDefault(m, "?")}' ({ModelLayers.TypeName(m)}) changes the spatial size from {xh}x{xw} to {yh}x{yw} in a way ConvVis cannot trace (supported: Conv2d, MaxPool2d, AvgPool2d, global pooling and size-keeping layers), so the receptive field of '{_layer}' is unknown.");
    }

    static Field Pool(Field f, long[] kernel, long[]? stride, long[]? padding, long[]? dilation)
    {
        long kh = kernel[0], kw = kernel.Length > 1 ? kernel[1] : kernel[0];
        long[] s = stride is { Length: > 0 } ? stride : [kh, kw];
        long[] p = padding is { Length: > 0 } ? padding : [0, 0];
        long[] d = dilation is { Length: > 0 } ? dilation : [1, 1];
        return f.Window(kh, kw, s[0], s.Length > 1 ? s[1] : s[0], p[0], p.Length > 1 ? p[1] : p[0], d[0], d.Length > 1 ? d[1] : d[0]);
    }

    /// <summary>The field of a tensor seen before (same values), of a padded copy of one, or the largest among the
    /// outputs of its spatial size recorded from <paramref name="start"/> on (then from the beginning).</summary>
    Field? Recognise(Tensor t, int start = 0) => Recognise(t, out _, start);

    Field? Recognise(Tensor t, out bool seenBefore, int start = 0)
    {
        seenBefore = true;
        if (t.dim() < 3) return _seen.Count > 0 ? _seen[^1].Field with { Global = true } : null;
        // A constant tensor (a dead ReLU's zeros) says nothing about where it came from: skip recognition by value.
        bool informative = t.numel() > 1 && !t.max().equal(t.min()).item<bool>();
        for (int i = informative ? _seen.Count - 1 : -1; i >= 0; i--)
        {
            var (v, f) = _seen[i];
            if (v.shape.SequenceEqual(t.shape) && v.dtype == t.dtype && v.allclose(t, 0, 0)) return f;
        }
        seenBefore = false;
        long h = t.shape[^2], w = t.shape[^1];
        for (int i = informative ? _seen.Count - 1 : -1; i >= 0; i--)
        {
            var (v, f) = _seen[i];
            if (v.dim() != t.dim() || v.dtype != t.dtype || !v.shape.SkipLast(2).SequenceEqual(t.shape.SkipLast(2))) continue;
            long dh = h - v.shape[^2], dw = w - v.shape[^1];
            if (dh < 0 || dw < 0 || dh + dw == 0 || dh > 2 * MaxPadding || dw > 2 * MaxPadding) continue;
            for (long top = 0; top <= dh; top++)
                for (long left = 0; left <= dw; left++)
                    using (var inner = t.narrow(-2, top, v.shape[^2]).narrow(-1, left, v.shape[^1]))
                        if (inner.allclose(v, 0, 0)) return f.Shifted(top, left);
        }
        Field? best = null;
        foreach (int from in new[] { start, 0 })
        {
            for (int i = from; i < _seen.Count; i++)
            {
                var (v, f) = _seen[i];
                if (v.dim() >= 3 && v.shape[^2] == h && v.shape[^1] == w && (best is null || f.Area > best.Value.Area)) best = f;
            }
            if (best is not null) return best;
        }
        return null;
    }
}
