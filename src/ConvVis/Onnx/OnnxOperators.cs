using ConvVis.Onnx.Proto;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ConvVis.Onnx;

// The operator implementations (ONNX operator semantics from onnx/docs/Operators.md).
internal sealed partial class OnnxNodeCompiler
{
    private void CompileConstant()
    {
        Tensor value;
        if (_attrs.Tensor("value") is { } t) value = OnnxTensors.ToTensor(t, $"the value of {NodeLabel}");
        else if (_attrs.Has("value_float")) value = torch.tensor(_attrs.Float("value_float", 0));
        else if (_attrs.Has("value_floats")) value = torch.tensor(_attrs.Floats("value_floats")!);
        else if (_attrs.Has("value_int")) value = torch.tensor(_attrs.Int("value_int", 0));
        else if (_attrs.Has("value_ints")) value = torch.tensor(_attrs.Ints("value_ints")!);
        else throw Unsupported("only the value, value_float(s) and value_int(s) forms are supported");
        // No step and no slot: the value is resolved at load time (a buffer if something reads it at run time).
        if (_model.TryGetSlot(_node.Outputs[0], out _) || _constants.ContainsKey(_node.Outputs[0]))
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: value '{_node.Outputs[0]}' is produced twice ({NodeLabel}).");
        _constants[_node.Outputs[0]] = value;
    }

    // ---------- layers ----------

    private void Conv()
    {
        var w = Const(1, "weights");
        if (w.dim() != 4)
            throw Unsupported($"only 2-D convolutions are supported; the weights have shape [{string.Join(", ", w.shape)}]");
        long group = _attrs.Int("group", 1);
        if (group < 1)
            throw Invalid($"group is {group}; it must be at least 1");
        if (w.shape.Any(d => d == 0))
            throw Invalid($"the weights have shape {Dims(w)}, with no filters or an empty kernel");
        if (w.shape[0] % group != 0)
            throw Invalid($"{w.shape[0]} filters cannot be split into {group} groups");
        long[] kernel = { w.shape[2], w.shape[3] };
        if (_attrs.Ints("kernel_shape") is { } ks && !ks.SequenceEqual(kernel))
            throw Unsupported($"kernel_shape [{string.Join(", ", ks)}] differs from the weights' [{string.Join(", ", kernel)}]");
        long[] strides = Pair("strides");
        long[] dilations = Pair("dilations");
        var (pads, autoPad) = SpatialPadding();
        if (strides.Concat(dilations).Any(v => v < 1))
            throw Invalid($"strides [{string.Join(", ", strides)}] and dilations [{string.Join(", ", dilations)}] must be at least 1");
        Tensor? bias = HasInput(2) ? Const(2, "bias") : null;
        if (bias is not null) RequireVector(bias, w.shape[0], "the bias");
        bool symmetric = autoPad == "NOTSET" && pads[0] == pads[2] && pads[1] == pads[3];

        var conv = nn.Conv2d(w.shape[1] * group, w.shape[0], (kernel[0], kernel[1]),
            stride: (strides[0], strides[1]), padding: symmetric ? (pads[0], pads[1]) : (0, 0),
            dilation: (dilations[0], dilations[1]), groups: group, bias: bias is not null, device: Unallocated);
        conv.weight = Adopt(w, _node.Inputs[1]);
        if (bias is not null) conv.bias = Adopt(bias, _node.Inputs[2]);
        // Asymmetric or SAME padding: pad explicitly, then convolve without padding.
        Layer(conv, 4, symmetric ? null : x => F.pad(x, TorchPads(x, autoPad, pads, kernel, strides, dilations), PaddingModes.Constant, 0));
    }

    private void BatchNorm()
    {
        var scale = Const(1, "scale");
        var shift = Const(2, "bias");
        var mean = Const(3, "mean");
        var variance = Const(4, "variance");
        _attrs.Ignore("momentum", "is_test", "consumed_inputs");
        if (_opset < 9 && _attrs.Int("spatial", 1) != 1)
            throw Unsupported("spatial=0 (per-activation statistics) is not supported");
        if (_attrs.Int("training_mode", 0) != 0)
            throw Unsupported("training_mode=1 is not supported (the importer runs inference graphs)");
        if (scale.dim() != 1 || scale.shape[0] == 0)
            throw Invalid($"the scale has shape {Dims(scale)}, but it must be a vector with one value per channel");
        long channels = scale.shape[0];
        RequireVector(shift, channels, "the bias");
        RequireVector(mean, channels, "the mean");
        RequireVector(variance, channels, "the variance");
        var bn = nn.BatchNorm2d(channels, eps: _attrs.Float("epsilon", 1e-5f));
        Assign(bn.weight, scale);
        Assign(bn.bias, shift);
        Assign(bn.running_mean, mean);
        Assign(bn.running_var, variance);
        // BatchNorm2d needs [N,C,H,W]; a [N,C] input (after a Flatten) is viewed as [N,C,1,1].
        Layer(bn, 0,
            x => x.dim() == 2 ? x.unsqueeze(-1).unsqueeze(-1) : x.alias(),
            (x, y) => x.dim() == 2 ? y.flatten(1) : y.alias());
    }

    private void Clip()
    {
        float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
        if (_opset < 11)
        {
            lo = _attrs.Float("min", lo);
            hi = _attrs.Float("max", hi);
        }
        else if ((HasInput(1) && !InputIsConstant(1)) || (HasInput(2) && !InputIsConstant(2)))
        {
            Plain(3, a =>
            {
                var x = a[0]!;
                using var low = a[1] is null ? null : x.clamp_min(a[1]!.item<float>());
                var src = low ?? x;
                return a[2] is null ? (low is null ? x.alias() : low.alias()) : src.clamp_max(a[2]!.item<float>());
            });
            return;
        }
        else
        {
            if (HasInput(1)) lo = Scalar(1, "min").to_type(ScalarType.Float32).item<float>();
            if (HasInput(2)) hi = Scalar(2, "max").to_type(ScalarType.Float32).item<float>();
        }
        Layer(new Clip(lo, hi));   // ReLU6 and friends stay hookable layers
    }

    private void Pool(bool max)
    {
        var kernel = _attrs.Ints("kernel_shape")
            ?? throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has no kernel_shape.");
        if (kernel.Length != 2)
            throw Unsupported($"only 2-D pooling is supported; kernel_shape is [{string.Join(", ", kernel)}]");
        long[] strides = Pair("strides");
        long[] dilations = max && _opset >= 10 ? Pair("dilations") : new long[] { 1, 1 };
        if (kernel.Concat(strides).Concat(dilations).Any(v => v < 1))
            throw Invalid($"kernel_shape [{string.Join(", ", kernel)}], strides and dilations must be at least 1");
        bool ceil = _opset >= 10 && _attrs.Int("ceil_mode", 0) != 0;
        bool countPad = !max && _attrs.Int("count_include_pad", 0) != 0;
        if (max) _attrs.Ignore("storage_order");   // only affects the Indices output, which is rejected
        var (pads, autoPad) = SpatialPadding();
        bool symmetric = autoPad == "NOTSET" && pads[0] == pads[2] && pads[1] == pads[3]
            && pads[0] <= kernel[0] / 2 && pads[1] <= kernel[1] / 2;
        if (!symmetric && !max && !countPad && pads.Any(p => p != 0) | autoPad != "NOTSET")
            throw Unsupported("AveragePool with asymmetric or SAME padding and count_include_pad=0 is not supported");
        long[] torchPadding = symmetric ? new[] { pads[0], pads[1] } : new long[] { 0, 0 };
        nn.Module<Tensor, Tensor> layer = max
            ? nn.MaxPool2d(kernel, strides, torchPadding, dilations, ceil)
            : nn.AvgPool2d(kernel, strides, torchPadding, ceil, countPad);
        double fill = max ? double.NegativeInfinity : 0;
        Layer(layer, 4, symmetric ? null : x => F.pad(x, TorchPads(x, autoPad, pads, kernel, strides, dilations), PaddingModes.Constant, fill));
    }

    private void Gemm()
    {
        float alpha = _attrs.Float("alpha", 1), beta = _attrs.Float("beta", 1);
        bool transA = _attrs.Int("transA", 0) != 0, transB = _attrs.Int("transB", 0) != 0;
        if (!transA && InputIsConstant(1) && (!HasInput(2) || InputIsConstant(2)))
        {
            var b = Const(1, "B");
            if (b.dim() != 2)
                throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has a {b.dim()}-D B.");
            long outputs = transB ? b.shape[0] : b.shape[1];
            Tensor? c = HasInput(2) ? Const(2, "C") : null;
            bool cIsRow = c is null || c.numel() == 1 || (c.numel() == outputs && (c.dim() == 1 || (c.dim() == 2 && c.shape[0] == 1)));
            if (cIsRow)
            {
                // Linear's weight is [out, in]: PyTorch's exports (transB = 1, alpha = 1) are used as they are.
                var weight = transB && alpha == 1 ? Adopt(b, _node.Inputs[1]) : new Parameter(((transB ? b : b.t()) * alpha).contiguous());
                Parameter? bias = c is null ? null
                    : beta == 1 && c.numel() == outputs ? Adopt(c.reshape(outputs), _node.Inputs[2])
                    : new Parameter(c.reshape(-1).expand(outputs) * beta);
                Layer(nn.Linear(weight, bias), 2);
                return;
            }
        }
        Plain(3, a =>
        {
            using var at = transA ? a[0]!.t() : a[0]!.alias();
            using var bt = transB ? a[1]!.t() : a[1]!.alias();
            using var product = torch.matmul(at, bt);
            using var scaled = product * alpha;
            return a[2] is null ? scaled.alias() : scaled + a[2]! * beta;
        });
    }

    private void Flatten()
    {
        long axis = Axis("axis", 1);
        if (axis == 1)
        {
            Layer(nn.Flatten(1, -1));
            return;
        }
        Plain(1, a =>
        {
            var x = a[0]!;
            long ax = Normalize(axis, x.dim()), outer = 1;
            for (int i = 0; i < ax; i++) outer *= x.shape[i];
            return x.reshape(outer, -1);
        });
    }

    private void Dropout()
    {
        _attrs.Ignore("is_test", "seed");
        float ratio = 0.5f;
        if (_opset < 12) ratio = _attrs.Float("ratio", 0.5f);
        else if (HasInput(1)) ratio = Scalar(1, "ratio").to_type(ScalarType.Float32).item<float>();
        if (!(ratio >= 0 && ratio < 1))
            throw Invalid($"ratio {ratio} is not in [0, 1)");
        if (HasInput(2) && Scalar(2, "training_mode").to_type(ScalarType.Int64).item<long>() != 0)
            throw Unsupported("training_mode=true is not supported");
        Layer(nn.Dropout(ratio));
    }

    private void Softmax()
    {
        if (_opset >= 13) Layer(nn.Softmax(_attrs.Int("axis", -1)));
        else Layer(new OnnxLegacySoftmax(_attrs.Int("axis", 1)));
    }

    // ---------- computed in the graph ----------

    private void Elementwise(Func<Tensor, Tensor, Tensor> op)
    {
        if (_node.Inputs.Count != 2 || !HasInput(0) || !HasInput(1))
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} needs two inputs.");
        _attrs.Ignore("consumed_inputs");
        if (_attrs.Has("broadcast") || _attrs.Has("axis"))
            throw Unsupported("the legacy broadcast/axis attributes (opset < 7) are not supported");
        Plain(2, a => op(a[0]!, a[1]!));
    }

    private void Concat()
    {
        long axis = _attrs.Int("axis", long.MinValue);
        if (axis == long.MinValue)
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has no axis.");
        Plain(_node.Inputs.Count, a => torch.cat(a.Where(t => t is not null).ToArray()!, Normalize(axis, a[0]!.dim())));
    }

    private void Reshape()
    {
        bool allowZero = _attrs.Int("allowzero", 0) != 0;
        if (InputIsConstant(1))
        {
            long[] shape = ConstLongs(1, "shape");
            PlainWithContext(1, (a, c) => a[0]!.reshape(ResolveShape(a[0]!, shape, allowZero, c)));
        }
        else
            PlainWithContext(2, (a, c) => a[0]!.reshape(ResolveShape(a[0]!, a[1]!.to_type(ScalarType.Int64).data<long>().ToArray(), allowZero, c)));
    }

    /// <summary>ONNX Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred. When the
    /// file fixes the batch to 1 but a larger batch runs, a leading 1 stands for the batch.</summary>
    internal static long[] ResolveShape(Tensor x, long[] shape, bool allowZero, OnnxRunContext context)
    {
        var s = (long[])shape.Clone();
        for (int i = 0; i < s.Length; i++)
            if (s[i] == 0 && !allowZero)
            {
                if (i >= x.dim()) throw new ArgumentException($"Reshape: shape entry {i} is 0 (copy) but the input has only {x.dim()} dimensions.");
                s[i] = x.shape[i];
            }
        if (context.Batch is long batch && s.Length > 0 && s[0] == 1 && x.dim() > 0 && x.shape[0] == batch)
            s[0] = batch;
        return s;
    }

    private void Pad()
    {
        string mode = _attrs.String("mode", "constant");
        var torchMode = mode switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            _ => throw Unsupported($"mode '{mode}' is not supported (constant, reflect, edge are)"),
        };
        long[] pads;
        float value = 0;
        if (_opset < 11)
        {
            pads = _attrs.Ints("pads") ?? throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} has no pads.");
            value = _attrs.Float("value", 0);
        }
        else
        {
            pads = ConstLongs(1, "pads");
            if (HasInput(2)) value = Const(2, "constant_value").to_type(ScalarType.Float32).item<float>();
        }
        // Opset 18: pads for the listed axes only.
        long[]? axes = _opset >= 18 && HasInput(3) ? ConstLongs(3, "axes") : null;
        if (axes is not null && pads.Length != 2 * axes.Length)
            throw Invalid($"{pads.Length} pad values for {axes.Length} axes (expected {2 * axes.Length})");
        Plain(1, a =>
        {
            var x = a[0]!;
            long rank = x.dim();
            var given = pads;
            if (axes is not null)
            {
                var full = new long[2 * rank];
                for (int i = 0; i < axes.Length; i++)
                {
                    long ax = Normalize(axes[i], rank);
                    if (ax < 0 || ax >= rank) throw new ArgumentException($"Pad: axis {axes[i]} does not fit a {rank}-D input.");
                    full[ax] = given[i];
                    full[ax + rank] = given[i + axes.Length];
                }
                given = full;
            }
            if (given.Length != 2 * rank)
                throw new ArgumentException($"Pad: {given.Length} pad values for a {rank}-D input (expected {2 * rank}).");
            // torch order: last dimension first, (begin, end) pairs; leading all-zero dimensions are dropped.
            var list = new List<long>();
            for (long d = rank - 1; d >= 0; d--) { list.Add(given[d]); list.Add(given[d + rank]); }
            while (list.Count > 2 && list[^1] == 0 && list[^2] == 0) list.RemoveRange(list.Count - 2, 2);
            return F.pad(x, list.ToArray(), torchMode, value);
        });
    }

    private void Shape()
    {
        long start = _attrs.Int("start", 0), end = _attrs.Int("end", long.MaxValue);
        Plain(1, a =>
        {
            var dims = a[0]!.shape;
            long s = Math.Clamp(start < 0 ? start + dims.Length : start, 0, dims.Length);
            long e = Math.Clamp(end < 0 ? end + dims.Length : end, 0, dims.Length);
            return torch.tensor(dims[(int)s..(int)Math.Max(s, e)]);
        });
    }

    private void Gather()
    {
        long axis = _attrs.Int("axis", 0);
        Plain(2, a =>
        {
            var x = a[0]!;
            long ax = Normalize(axis, x.dim());
            using var idx = a[1]!.to_type(ScalarType.Int64);
            using var wrapped = torch.where(idx < 0, idx + x.shape[ax], idx);
            using var flat = wrapped.flatten();
            using var picked = x.index_select(ax, flat);
            var shape = x.shape.Take((int)ax).Concat(idx.shape).Concat(x.shape.Skip((int)ax + 1)).ToArray();
            return picked.reshape(shape);
        });
    }

    private void Unsqueeze()
    {
        long[] axes = _opset < 13 ? _attrs.Ints("axes") ?? Array.Empty<long>() : ConstLongs(1, "axes");
        Plain(1, a =>
        {
            long rank = a[0]!.dim() + axes.Length;
            var y = a[0]!.alias();
            foreach (long ax in axes.Select(v => Normalize(v, rank)).OrderBy(v => v))
            {
                var next = y.unsqueeze(ax);
                y.Dispose();
                y = next;
            }
            return y;
        });
    }

    private void Squeeze()
    {
        long[]? axes = _opset < 13 ? _attrs.Ints("axes") : HasInput(1) ? ConstLongs(1, "axes") : null;
        Plain(1, a =>
        {
            var x = a[0]!;
            if (axes is null) return x.squeeze();
            var y = x.alias();
            foreach (long ax in axes.Select(v => Normalize(v, x.dim())).OrderByDescending(v => v))
            {
                var next = y.squeeze(ax);
                y.Dispose();
                y = next;
            }
            return y;
        });
    }

    private void Split()
    {
        long axis = _attrs.Int("axis", 0);
        long[]? sizes = _opset < 13 ? _attrs.Ints("split") : HasInput(1) ? ConstLongs(1, "split") : null;
        // Opset 18 names the number of outputs; without sizes the last part may be smaller (ceil-sized parts).
        bool ceilParts = _opset >= 18 && sizes is null;
        if (_opset >= 18 && _attrs.Has("num_outputs") && _attrs.Int("num_outputs", 0) != _node.Outputs.Count)
            throw Invalid($"num_outputs is {_attrs.Int("num_outputs", 0)} but the node has {_node.Outputs.Count} outputs");
        int input = In(0);
        if (input < 0 || _node.Outputs.Any(o => o.Length == 0))
            throw new InvalidDataException($"'{_source}' is not a valid ONNX model: {NodeLabel} needs an input and named outputs.");
        var outputs = new int[_node.Outputs.Count];
        for (int k = 0; k < outputs.Length; k++)
        {
            if (_model.TryGetSlot(_node.Outputs[k], out _))
                throw new InvalidDataException($"'{_source}' is not a valid ONNX model: value '{_node.Outputs[k]}' is produced twice ({NodeLabel}).");
            outputs[k] = _model.NewSlot(_node.Outputs[k]);
        }
        int parts = outputs.Length;
        _model.AddStep(new OnnxStep(_node.OpType, NodeKey, new[] { input }, outputs, (a, _) =>
        {
            var x = a[0]!;
            long ax = Normalize(axis, x.dim());
            long chunk = ceilParts ? (x.shape[ax] + parts - 1) / parts : x.shape[ax] / parts;
            long[] s = sizes ?? Enumerable.Range(0, parts).Select(i => Math.Clamp(x.shape[ax] - i * chunk, 0, chunk)).ToArray();
            if (s.Length != parts || s.Sum() != x.shape[ax])
                throw new ArgumentException($"Split: sizes [{string.Join(", ", s)}] do not divide dimension {ax} of size {x.shape[ax]} into {parts} parts.");
            return x.split(s, ax);
        }));
    }

    private void Cast()
    {
        var to = (OnnxDataType)_attrs.Int("to", 0);
        var type = to switch
        {
            OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 => ScalarType.Float32,
            OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Int16 or OnnxDataType.Int8
                or OnnxDataType.UInt8 or OnnxDataType.UInt16 or OnnxDataType.UInt32 or OnnxDataType.Bool => ScalarType.Int64,
            _ => throw Unsupported($"cast to {to} is not supported"),
        };
        Plain(1, a => a[0]!.to_type(type));
    }

    // ---------- helpers ----------

    private long[] Pair(string name)
    {
        var v = _attrs.Ints(name) ?? new long[] { 1, 1 };
        if (v.Length != 2) throw Unsupported($"{name} [{string.Join(", ", v)}] is not 2-D");
        return v;
    }

    /// <summary>The pads attribute as [top, left, bottom, right], and the auto_pad mode (VALID becomes zero pads).</summary>
    private (long[] Pads, string AutoPad) SpatialPadding()
    {
        string autoPad = _attrs.String("auto_pad", "NOTSET");
        var pads = _attrs.Ints("pads") ?? new long[4];
        if (pads.Length != 4) throw Unsupported($"pads [{string.Join(", ", pads)}] are not 2-D");
        if (pads.Any(p => p < 0)) throw Unsupported("negative pads are not supported");
        switch (autoPad)
        {
            case "NOTSET": return (pads, autoPad);
            case "VALID": return (new long[4], "NOTSET");
            case "SAME_UPPER":
            case "SAME_LOWER": return (pads, autoPad);
            default: throw Unsupported($"auto_pad '{autoPad}' is not supported");
        }
    }

    /// <summary>Explicit padding in torch's order (left, right, top, bottom), computing SAME padding from the input size.</summary>
    private static long[] TorchPads(Tensor x, string autoPad, long[] pads, long[] kernel, long[] strides, long[] dilations)
    {
        if (autoPad == "NOTSET") return new[] { pads[1], pads[3], pads[0], pads[2] };
        var begin = new long[2];
        var end = new long[2];
        for (int i = 0; i < 2; i++)
        {
            long size = x.shape[2 + i];
            long output = (size + strides[i] - 1) / strides[i];
            long total = Math.Max(0, (output - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
            begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
            end[i] = total - begin[i];
        }
        return new[] { begin[1], end[1], begin[0], end[0] };
    }
}
