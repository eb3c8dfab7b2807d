using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>How a Reduce* operator combines the values along its axes.</summary>
internal enum ReduceKind { Mean, Sum, Max, Min, Prod, L2 }

// Operators computed as plain tensor code in the graph: unary and variadic elementwise operators,
// reductions, and the shape operators of PyTorch's exports (Transpose, Slice, Expand, ...).
internal sealed partial class OnnxNodeCompiler
{
    private void Unary(Func<Tensor, Tensor> op)
    {
        if (!HasInput(0))
            throw Invalid("it has no input");
        Plain(1, a => op(a[0]!));
    }

    private void Variadic(Func<Tensor, Tensor, Tensor> op, bool mean)
    {
        if (_node.Inputs.Count == 0 || _node.Inputs.Any(i => i.Length == 0))
            throw Invalid("it needs one or more inputs");
        int count = _node.Inputs.Count;
        Plain(count, a =>
        {
            var result = a[0]!.alias();
            for (int k = 1; k < count; k++)
            {
                var next = op(result, a[k]!);
                result.Dispose();
                result = next;
            }
            if (!mean) return result;
            using (result) return result / count;
        });
    }

    private void Where()
    {
        if (_node.Inputs.Count != 3 || !HasInput(0) || !HasInput(1) || !HasInput(2))
            throw Invalid("it needs three inputs (condition, X, Y)");
        Plain(3, a =>
        {
            using var condition = a[0]!.to_type(ScalarType.Bool);
            return torch.where(condition, a[1]!, a[2]!);
        });
    }

    private void Reduce(ReduceKind kind)
    {
        bool keep = _attrs.Int("keepdims", 1) != 0;
        bool noopWhenEmpty = _attrs.Int("noop_with_empty_axes", 0) != 0;
        // Axes are an attribute until opset 18 (ReduceSum: 13), then an optional input.
        bool axesAsInput = kind == ReduceKind.Sum ? _opset >= 13 : _opset >= 18;
        long[]? axes = axesAsInput ? (HasInput(1) ? ConstLongs(1, "axes") : null) : _attrs.Ints("axes");
        if (axes is { Length: 0 }) axes = null;
        Plain(1, a =>
        {
            var x = a[0]!;
            if (axes is null && noopWhenEmpty) return x.alias();
            long[] dims = axes?.Select(v => Normalize(v, x.dim())).ToArray() ?? Enumerable.Range(0, (int)x.dim()).Select(v => (long)v).ToArray();
            if (dims.Any(d => d < 0 || d >= x.dim()) || dims.Distinct().Count() != dims.Length)
                throw new ArgumentException($"axes [{string.Join(", ", axes ?? Array.Empty<long>())}] do not fit a {x.dim()}-D input.");
            if (x.dim() == 0) return x.alias();
            switch (kind)
            {
                case ReduceKind.Mean: return x.mean(dims, keep);
                case ReduceKind.Sum: return x.sum(dims, keep);
                case ReduceKind.L2: return torch.linalg.vector_norm(x, 2, dims, keep);
                default:
                    // max, min and prod reduce one dimension at a time (from the last, so indices stay valid).
                    var y = x.alias();
                    foreach (long d in dims.OrderByDescending(d => d))
                    {
                        var next = kind switch
                        {
                            ReduceKind.Max => y.amax(new[] { d }, keep),
                            ReduceKind.Min => y.amin(new[] { d }, keep),
                            _ => y.prod(d, keep),
                        };
                        y.Dispose();
                        y = next;
                    }
                    return y;
            }
        });
    }

    private void Transpose()
    {
        long[]? perm = _attrs.Ints("perm");
        Plain(1, a =>
        {
            var x = a[0]!;
            var p = perm ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(v => (long)v).ToArray();
            if (p.Length != x.dim())
                throw new ArgumentException($"perm [{string.Join(", ", p)}] does not fit a {x.dim()}-D input.");
            return x.permute(p);
        });
    }

    private void Slice()
    {
        if (_opset < 10)
        {
            long[] starts = _attrs.Ints("starts") ?? throw Invalid("it has no starts");
            long[] ends = _attrs.Ints("ends") ?? throw Invalid("it has no ends");
            long[]? axes = _attrs.Ints("axes");
            Plain(1, a => SliceTensor(a[0]!, starts, ends, axes, null));
            return;
        }
        // starts, ends, axes, steps: read from the tensors at run time (ShuffleNet computes them from Shape).
        Plain(5, a => SliceTensor(a[0]!, Longs(a[1]!), Longs(a[2]!), a[3] is null ? null : Longs(a[3]!), a[4] is null ? null : Longs(a[4]!)));
    }

    private static long[] Longs(Tensor t)
    {
        using var l = t.to_type(ScalarType.Int64).cpu();
        return l.data<long>().ToArray();
    }

    /// <summary>ONNX Slice: per axis, start and end clamped to the dimension (negative counts from the end), any step but 0.</summary>
    internal static Tensor SliceTensor(Tensor x, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        axes ??= Enumerable.Range(0, starts.Length).Select(v => (long)v).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw new ArgumentException("starts, ends, axes and steps must have the same length.");
        var y = x.alias();
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = Normalize(axes[i], x.dim()), size = x.shape[axis], step = steps[i];
            if (axis < 0 || axis >= x.dim()) throw new ArgumentException($"axis {axes[i]} does not fit a {x.dim()}-D input.");
            if (step == 0) throw new ArgumentException("a slice step is 0.");
            long start = starts[i] < 0 ? starts[i] + size : starts[i];
            long end = ends[i] < 0 ? ends[i] + size : ends[i];
            Tensor next;
            if (step > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                next = y.slice(axis, start, Math.Max(start, end), step);
            }
            else
            {
                // Backwards: clamp to [-1, size-1], take the elements start, start+step, ... > end, via a flip.
                start = Math.Clamp(start, 0, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                long count = start > end ? (start - end - 1) / -step + 1 : 0;
                using var flipped = y.flip(axis);
                long first = size - 1 - start;
                next = count == 0 ? flipped.slice(axis, 0, 0, 1) : flipped.slice(axis, first, first + (count - 1) * -step + 1, -step);
            }
            y.Dispose();
            y = next;
        }
        return y;
    }

    private void Expand()
    {
        Plain(2, a =>
        {
            var x = a[0]!;
            long[] shape = Longs(a[1]!);
            // ONNX Expand broadcasts both ways (a 1 in the shape keeps the input's size).
            int rank = Math.Max((int)x.dim(), shape.Length);
            var target = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                long s = i - (rank - shape.Length) >= 0 ? shape[i - (rank - shape.Length)] : 1;
                long d = i - (rank - (int)x.dim()) >= 0 ? x.shape[i - (rank - (int)x.dim())] : 1;
                target[i] = s == 1 ? d : s;
            }
            return x.expand(target).contiguous();
        });
    }

    private void Tile()
    {
        Plain(2, a => a[0]!.tile(Longs(a[1]!)));
    }

    private void ConstantOfShape()
    {
        var value = _attrs.Tensor("value");
        Tensor fill = value is null ? torch.zeros(1) : OnnxTensors.ToTensor(value, $"the value of {NodeLabel}");
        if (fill.numel() != 1)
            throw Invalid($"its value has {fill.numel()} elements; it must have one");
        double v = fill.to_type(ScalarType.Float64).item<double>();
        var type = fill.dtype;
        fill.Dispose();
        Plain(1, a => torch.full(Longs(a[0]!), v, type));
    }

    private void Range()
    {
        Plain(3, a =>
        {
            var type = a[0]!.dtype;
            double start = a[0]!.to_type(ScalarType.Float64).item<double>(), limit = a[1]!.to_type(ScalarType.Float64).item<double>();
            double delta = a[2]!.to_type(ScalarType.Float64).item<double>();
            if (delta == 0) throw new ArgumentException("Range: delta is 0.");
            long count = Math.Max(0, (long)Math.Ceiling((limit - start) / delta));
            using var steps = torch.arange(count, ScalarType.Float64);
            using var values = steps * delta + start;
            return values.to_type(type);
        });
    }
}
