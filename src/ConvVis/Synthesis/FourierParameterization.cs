using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// The decorrelated parameterisation of Olah et al. (2017, Lucid, "Feature Visualization"): the optimised variable is
/// the image's 2-D Fourier spectrum, each frequency scaled by 1 / frequency (so gradient steps are "whitened": low and
/// high frequencies move at the same pace, instead of the high ones winning); for colour images the three channels are
/// mixed by the square root of ImageNet's colour correlation matrix, and a sigmoid maps the result into [0, 1].
/// </summary>
internal sealed class FourierParameterization : IDisposable
{
    // The square root of ImageNet's RGB colour covariance (from its SVD) as published with Lucid, columns scaled so the
    // largest has norm 1.
    private static readonly float[,] ColorCorrelationSqrt =
    {
        { 0.26f, 0.09f, 0.02f },
        { 0.27f, 0.00f, -0.05f },
        { 0.27f, -0.09f, 0.03f },
    };

    // The spectrum's scale is divided by this so that a unit-variance spectrum gives pixels of moderate contrast
    // before the sigmoid (Lucid uses the same constant, 4).
    private const double Contrast = 4.0;

    private readonly Tensor _spectrum;   // [N, C, H, W/2+1, 2], the variable
    private readonly Tensor _scale;      // [1, 1, H, W/2+1, 1]
    private readonly Tensor? _colors;    // [3, 3]
    private readonly long _h, _w;

    public FourierParameterization(long[] shape, Generator generator, double initialStd = 0.01)
    {
        long n = shape[0], c = shape[1];
        _h = shape[2]; _w = shape[3];
        long wf = _w / 2 + 1;
        _spectrum = (randn([n, c, _h, wf, 2], generator: generator) * initialStd).requires_grad_(true).DetachFromDisposeScope();
        var scale = new float[_h * wf];
        for (long y = 0; y < _h; y++)
            for (long x = 0; x < wf; x++)
            {
                double fy = (y <= (_h - 1) / 2 ? y : y - _h) / (double)_h;   // numpy's fftfreq
                double fx = x / (double)_w;
                double f = Math.Max(Math.Sqrt(fy * fy + fx * fx), 1.0 / Math.Max(_h, _w));
                scale[y * wf + x] = (float)(1.0 / f);
            }
        _scale = tensor(scale).reshape(1, 1, _h, wf, 1).DetachFromDisposeScope();
        if (c == 3)
        {
            var m = new float[9];
            double maxNorm = 0;
            for (int j = 0; j < 3; j++)
                maxNorm = Math.Max(maxNorm, Math.Sqrt(Enumerable.Range(0, 3).Sum(i => (double)ColorCorrelationSqrt[i, j] * ColorCorrelationSqrt[i, j])));
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) m[i * 3 + j] = (float)(ColorCorrelationSqrt[i, j] / maxNorm);
            _colors = tensor(m).reshape(3, 3).DetachFromDisposeScope();
        }
    }

    /// <summary>The optimised variable.</summary>
    public Tensor Variable => _spectrum;

    /// <summary>The picture [N, C, H, W] in (0, 1), in the graph of <see cref="Variable"/>.</summary>
    public Tensor Picture()
    {
        var spectrum = torch.view_as_complex(_spectrum * _scale);
        var image = torch.fft.irfft2(spectrum, s: [_h, _w], norm: FFTNormType.Ortho) / Contrast;
        if (_colors is not null)
            image = torch.einsum("ij,njhw->nihw", _colors, image);
        return image.sigmoid();
    }

    public void Dispose()
    {
        _spectrum.Dispose();
        _scale.Dispose();
        _colors?.Dispose();
    }
}
