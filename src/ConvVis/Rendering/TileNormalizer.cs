using System.Globalization;
using static TorchSharp.torch;

namespace ConvVis.Rendering;

/// <summary>What a normalisation did, for captions and colour-bar labels.</summary>
/// <param name="Mode">The normalisation applied.</param>
/// <param name="ClipPercentile">The clipping percentile, if any.</param>
/// <param name="Low">Value shown at the bottom of the map when the scale is shared; NaN when per tile.</param>
/// <param name="High">Value shown at the top of the map when the scale is shared; NaN when per tile.</param>
internal sealed record ScaleInfo(Normalization Mode, double? ClipPercentile, double Low, double High)
{
    /// <summary>Colour-bar labels: bottom, middle, top.</summary>
    public (string Low, string Mid, string High) Labels()
    {
        string clip = ClipPercentile is { } p ? string.Create(CultureInfo.InvariantCulture, $" (clipped at the {p:0.##}th percentile)") : "";
        return Mode switch
        {
            Normalization.PerChannel => ("min of each tile" + clip, "", "max of each tile" + clip),
            Normalization.SymmetricPerChannel => ("−max|x| of each tile" + clip, "0", "+max|x| of each tile" + clip),
            _ => (TileStats.Format(Low), Mode == Normalization.Symmetric ? "0" : "", TileStats.Format(High)),
        };
    }

    /// <summary>A one-line description, e.g. "symmetric around 0, shared scale ±0.31".</summary>
    public string Describe()
    {
        string clip = ClipPercentile is { } p ? string.Create(CultureInfo.InvariantCulture, $", clipped at the {100 - p:0.##}/{p:0.##}th percentiles") : "";
        return Mode switch
        {
            Normalization.PerChannel => "min-max per tile" + clip,
            Normalization.Shared => $"shared min-max [{TileStats.Format(Low)}, {TileStats.Format(High)}]" + clip,
            Normalization.Symmetric => $"symmetric around 0, shared scale ±{TileStats.Format(High)}" + clip,
            _ => "symmetric around 0, per-tile scale" + clip,
        };
    }
}

/// <summary>
/// Scales a [tiles, values] float matrix to [0, 1] with per-row or shared ranges computed by torch reductions
/// (quantiles for clipping). Ranges ignore non-finite values; +Inf maps to 1, -Inf to 0, NaN stays NaN.
/// A zero range never divides (see <see cref="Normalization"/>).
/// </summary>
internal static class TileNormalizer
{
    /// <summary>Checks a clip percentile: null, or in (50, 100].</summary>
    public static void Validate(double? clipPercentile, string optionName)
    {
        if (clipPercentile is { } p && !(p > 50 && p <= 100))
            throw new ArgumentOutOfRangeException(optionName, p, $"{optionName} must be in (50, 100], e.g. 99 clips values to the 1st..99th percentiles; it was {p}.");
    }

    /// <summary>Returns v in [0, 1] (NaN kept) with the shape of <paramref name="rows"/> ([S, P] float32).</summary>
    public static Tensor Normalize(Tensor rows, Normalization mode, double? clipPercentile, out ScaleInfo info)
    {
        Validate(clipPercentile, "ClipPercentile");
        long s = rows.shape[0];
        bool perRow = mode is Normalization.PerChannel or Normalization.SymmetricPerChannel;
        bool symmetric = mode is Normalization.Symmetric or Normalization.SymmetricPerChannel;
        var finite = rows.isfinite();
        var notFinite = finite.logical_not();
        // Reduce over each row, or over everything as one row.
        var source = perRow ? rows : rows.reshape(1, -1);
        var sourceNotFinite = perRow ? notFinite : notFinite.reshape(1, -1);
        double[] lo, hi;
        if (symmetric)
        {
            var abs = source.abs();
            hi = clipPercentile is { } p
                ? Quantiles(abs.masked_fill(sourceNotFinite, float.NaN), [p / 100])[0]
                : abs.masked_fill(sourceNotFinite, float.NegativeInfinity).amax([1]).to(ScalarType.Float64).data<double>().ToArray();
            lo = hi.Select(h => -h).ToArray();
        }
        else if (clipPercentile is { } p)
        {
            var q = Quantiles(source.masked_fill(sourceNotFinite, float.NaN), [1 - p / 100, p / 100]);
            lo = q[0]; hi = q[1];
        }
        else
        {
            lo = source.masked_fill(sourceNotFinite, float.PositiveInfinity).amin([1]).to(ScalarType.Float64).data<double>().ToArray();
            hi = source.masked_fill(sourceNotFinite, float.NegativeInfinity).amax([1]).to(ScalarType.Float64).data<double>().ToArray();
        }

        // v = (x - c) * a + b per row; computed in double here, applied in float32 below.
        int n = lo.Length;
        var c = new float[n]; var a = new float[n]; var b = new float[n];
        for (int i = 0; i < n; i++)
        {
            double range = hi[i] - lo[i];
            bool ok = range > 0 && double.IsFinite(range);
            if (symmetric)
            {
                c[i] = 0; a[i] = ok ? (float)(1 / range) : 0; b[i] = 0.5f;
            }
            else
            {
                c[i] = ok ? (float)lo[i] : 0;
                a[i] = ok ? (float)(1 / range) : 0;
                b[i] = ok ? 0 : (lo[i] == 0 ? 0f : 0.5f);
            }
        }
        long rowsOfParams = perRow ? s : 1;
        using var ct = tensor(c, [rowsOfParams, 1]);
        using var at = tensor(a, [rowsOfParams, 1]);
        using var bt = tensor(b, [rowsOfParams, 1]);
        var v = ((rows - ct) * at + bt).clamp(0f, 1f);
        v = v.masked_fill(rows.eq(float.PositiveInfinity), 1f).masked_fill(rows.eq(float.NegativeInfinity), 0f);
        info = new ScaleInfo(mode, clipPercentile, perRow ? double.NaN : lo[0], perRow ? double.NaN : hi[0]);
        return v;
    }

    /// <summary>
    /// Per-row quantiles ignoring NaN: result[k][row]. Rows longer than torch's quantile limit are subsampled
    /// with a fixed column stride (the result is then approximate, which is fine for display clipping).
    /// </summary>
    private static double[][] Quantiles(Tensor rowsWithNaN, double[] qs)
    {
        const long limit = 1 << 24;
        var x = rowsWithNaN;
        if (x.numel() > limit)
        {
            long stride = (x.numel() + limit - 1) / limit;
            x = x.slice(1, 0, x.shape[1], stride);
        }
        using var q = tensor(qs.Select(v => (float)v).ToArray());
        var result = x.nanquantile(q, 1, false).to(ScalarType.Float64); // [len(qs), rows]
        var flat = result.data<double>().ToArray();
        long rows = result.shape[1];
        return Enumerable.Range(0, qs.Length).Select(k => flat.AsSpan((int)(k * rows), (int)rows).ToArray()).ToArray();
    }
}
