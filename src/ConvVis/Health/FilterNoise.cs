using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// How noisy the filters of a convolution are: smooth filters (edges, blobs, gratings) are what a
/// well-trained first layer looks like; noisy ones mean too little training or regularisation
/// (CS231n, "Visualizing what ConvNets learn").
/// </summary>
/// <remarks>
/// <para>The score of a filter is its <b>normalised gradient energy</b>: for every input-channel
/// slice, the mean is removed, then the squared differences between horizontally and vertically
/// adjacent taps are summed and divided by the slice's squared norm; slices are pooled by energy
/// (sums over all slices of the filter), and the ratio is divided by its expected value for white
/// noise, <c>2·[kh(kw−1) + (kh−1)kw] / (kh·kw − 1)</c>.</para>
/// <para>So white noise (e.g. a Kaiming initialisation) scores about 1 whatever the kernel size, a
/// constant scores 0, a linear ramp 3/k² (k×k kernel), a Gabor of wavelength 6 px about 0.33, and a checkerboard (the highest
/// frequency) 1.8 on 3×3 and close to 2 on larger kernels.</para>
/// <para>Why this and not "share of spectral energy above a cut-off frequency": it is the spectral
/// energy weighted by <c>4 sin²(ωx/2) + 4 sin²(ωy/2)</c> (exactly so for periodic boundaries), so
/// it is the same idea without a hard cut-off. A cut-off is degenerate on the 3×3 kernels most
/// layers use (their DFT has only the frequencies 0 and ±1/3, so "high" would be everything that is
/// not the mean). The gradient energy is defined for every kernel size larger than 1×1, needs no FFT,
/// and in our tests separates a Kaiming initialisation (about 1.0) from the trained first layer of a
/// small CNN (about 0.4) with a wide margin.</para>
/// </remarks>
public static class FilterNoise
{
    /// <summary>
    /// Score the filters of a 2-D convolution.
    /// </summary>
    /// <param name="conv">A <see cref="Conv2d"/> (or any convolution module with a 4-D weight).</param>
    /// <exception cref="ArgumentException">The module has no 4-D convolution weight, or its kernels are 1×1.</exception>
    public static FilterNoiseReport Of(nn.Module conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        if (conv is not Convolution c)
            throw new ArgumentException(
                $"FilterNoise needs a convolution module (Conv2d), but got {conv.GetType().Name}. " +
                "Pick a conv layer, e.g. FilterNoise.Of(model.named_modules().First(m => m.module is Conv2d).module).",
                nameof(conv));
        return Of(c.weight ?? throw new ArgumentException("The convolution has no weight.", nameof(conv)));
    }

    /// <summary>
    /// Score the filters of a convolution weight of shape [out_channels, in_channels, kh, kw].
    /// </summary>
    /// <exception cref="ArgumentException">The weight is not 4-D or its kernels are 1×1.</exception>
    public static FilterNoiseReport Of(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 4)
            throw new ArgumentException(
                $"FilterNoise expects a 2-D convolution weight of shape [out_channels, in_channels, kh, kw], " +
                $"but the tensor has shape [{string.Join(", ", weight.shape)}].", nameof(weight));
        int outCh = (int)weight.shape[0], inCh = (int)weight.shape[1];
        int kh = (int)weight.shape[2], kw = (int)weight.shape[3];
        if (kh * kw < 2)
            throw new ArgumentException(
                "FilterNoise needs kernels with a spatial extent (at least 1x2); 1x1 kernels have no spatial structure to be smooth or noisy.",
                nameof(weight));

        float[] w = ReadFloats(weight);
        double expected = WhiteNoiseRatio(kh, kw);
        var scores = new double[outCh];
        int slice = kh * kw;
        for (int o = 0; o < outCh; o++)
        {
            double diffEnergy = 0, energy = 0;
            for (int i = 0; i < inCh; i++)
            {
                var (d, e) = SliceEnergies(w.AsSpan((o * inCh + i) * slice, slice), kh, kw);
                diffEnergy += d;
                energy += e;
            }
            // An all-constant (or all-zero) filter has no structure at all: call it perfectly smooth.
            scores[o] = energy <= 1e-30 ? 0 : diffEnergy / energy / expected;
        }
        return new FilterNoiseReport(scores, kh, kw);
    }

    /// <summary>
    /// Score every <see cref="Conv2d"/> of a model, keyed by its name in <c>named_modules()</c>.
    /// 1×1 convolutions are skipped (they have no spatial structure).
    /// </summary>
    public static IReadOnlyDictionary<string, FilterNoiseReport> OfAll(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new Dictionary<string, FilterNoiseReport>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is Conv2d conv && conv.weight is { } w && w.shape[2] * w.shape[3] > 1)
                result[name] = Of(w);
        }
        return result;
    }

    /// <summary>Expected (diff energy / energy) ratio of a mean-removed white-noise kh×kw slice.</summary>
    internal static double WhiteNoiseRatio(int kh, int kw) =>
        2.0 * (kh * (kw - 1) + (kh - 1) * kw) / (kh * kw - 1);

    private static (double Diff, double Energy) SliceEnergies(ReadOnlySpan<float> s, int kh, int kw)
    {
        double mean = 0;
        foreach (float v in s) mean += v;
        mean /= s.Length;
        double energy = 0, diff = 0;
        for (int y = 0; y < kh; y++)
        {
            for (int x = 0; x < kw; x++)
            {
                double v = s[y * kw + x];
                energy += (v - mean) * (v - mean);
                // Differences do not depend on the mean, so use the raw taps.
                if (x + 1 < kw) { double d = s[y * kw + x + 1] - v; diff += d * d; }
                if (y + 1 < kh) { double d = s[(y + 1) * kw + x] - v; diff += d * d; }
            }
        }
        return (diff, energy);
    }

    private static float[] ReadFloats(Tensor t)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var cpu = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(cpu.bytes).ToArray();
    }
}
