using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace ConvVis.Embedding;

/// <summary>
/// Dense joint affinities P [N, N] for exact t-SNE, and the two things an iteration needs from them, each in one fused
/// pass over P: the forces (attraction, repulsion and the normaliser Z) and the KL divergence.
/// </summary>
/// <remarks>
/// A pass reads P row by row and computes the Student-t kernel 1 / (1 + |y_i - y_j|²) on the fly, so an iteration
/// touches P once and allocates nothing; written as tensor expressions it made about ten [N, N] float64 temporaries per
/// iteration (200 MB each at N = 5,000, every one freshly page-faulted). P is kept in float32 (half the memory traffic,
/// relative rounding 6e-8, far below the optimisation's own noise) and widened to float64, in which the kernel and every
/// sum are computed. Rows run in parallel, each row's sums in a fixed order and Z summed in row order, so the result
/// does not depend on thread scheduling.
/// </remarks>
internal sealed class DenseAffinities
{
    /// <summary>Smallest p and q the KL takes the logarithm of (as the tensor formula p (log p - log q) clamps them).</summary>
    const double LogFloor = 1e-12;

    readonly float[] _p;
    readonly int _n;
    readonly double _sumPLogP, _mass;
    readonly double[] _xs, _ys, _rowZ;

    /// <summary>Copies P [N, N] (any real dtype) into float32 rows.</summary>
    public DenseAffinities(Tensor p)
    {
        _n = (int)p.shape[0];
        using (var p32 = p.to(ScalarType.Float32).contiguous())
            _p = MemoryMarshal.Cast<byte, float>(p32.bytes).ToArray();
        _xs = new double[_n];
        _ys = new double[_n];
        _rowZ = new double[_n];
        var rows = new double[_n];
        Parallel.For(0, _n, i =>
        {
            double s = 0;
            foreach (float v in _p.AsSpan(i * _n, _n))
                if (v > 0) s += v * Math.Log(Math.Max(v, LogFloor));
            rows[i] = s;
        });
        foreach (double s in rows) _sumPLogP += s;
        foreach (float v in _p) _mass += v;
    }

    /// <summary>
    /// For positions <paramref name="y"/> [x0, y0, x1, y1, ...] fills attraction_i = sum_j p_ij (y_i - y_j) / (1 + d²)
    /// and repulsion_i = sum_j (y_i - y_j) / (1 + d²)² (both interleaved like y); returns Z = sum over i != j of 1 / (1 + d²).
    /// The gradient is then dC/dy_i = 4 (attraction_i - repulsion_i / Z).
    /// </summary>
    public double Forces(double[] y, double[] attraction, double[] repulsion)
    {
        Split(y);
        Parallel.For(0, _n, i =>
        {
            var (ax, ay, rx, ry, z) = Row(i);
            attraction[2 * i] = ax; attraction[2 * i + 1] = ay;
            repulsion[2 * i] = rx; repulsion[2 * i + 1] = ry;
            _rowZ[i] = z;
        });
        double sum = 0;
        foreach (double z in _rowZ) sum += z;
        return sum;
    }

    /// <summary>KL(P || Q) = sum_ij p_ij (log p_ij - log q_ij) of positions <paramref name="y"/>, with p and q floored at 1e-12 inside the logarithms.</summary>
    public double Kl(double[] y)
    {
        double z = Forces(y, new double[y.Length], new double[y.Length]);
        double floor = LogFloor * z;
        var rows = new double[_n];
        Parallel.For(0, _n, i =>
        {
            // log q_ij = log(num_ij / Z); flooring q at 1e-12 is flooring num at 1e-12 Z.
            var p = _p.AsSpan(i * _n, _n);
            double s = 0, xi = _xs[i], yi = _ys[i];
            for (int j = 0; j < _n; j++)
            {
                if (p[j] <= 0) continue;
                double dx = xi - _xs[j], dy = yi - _ys[j];
                s += p[j] * Math.Log(Math.Max(1 / (1 + dx * dx + dy * dy), floor));
            }
            rows[i] = s;
        });
        double cross = 0;
        foreach (double s in rows) cross += s;
        return _sumPLogP - cross + _mass * Math.Log(z);
    }

    void Split(double[] y)
    {
        for (int i = 0; i < _n; i++) { _xs[i] = y[2 * i]; _ys[i] = y[2 * i + 1]; }
    }

    /// <summary>
    /// Row i's sums, eight columns at a time (P's floats widened to two vectors of four doubles), then the remainder one
    /// by one. The diagonal is not skipped: it adds 1 / (1 + 0) = 1 to Z, which is taken off, and nothing to the forces.
    /// </summary>
    (double Ax, double Ay, double Rx, double Ry, double Z) Row(int i)
    {
        var p = _p.AsSpan(i * _n, _n);
        var xs = _xs.AsSpan();
        var ys = _ys.AsSpan();
        double xi = xs[i], yi = ys[i];
        Vector256<double> vx = Vector256.Create(xi), vy = Vector256.Create(yi), one = Vector256<double>.One;
        Vector256<double> ax = default, ay = default, rx = default, ry = default, z = default;
        int j = 0;
        for (; j + 8 <= _n; j += 8)
        {
            var (pLo, pHi) = Vector256.Widen(Vector256.Create<float>(p.Slice(j, 8)));
            Accumulate(vx - Vector256.Create<double>(xs.Slice(j, 4)), vy - Vector256.Create<double>(ys.Slice(j, 4)), pLo, one, ref ax, ref ay, ref rx, ref ry, ref z);
            Accumulate(vx - Vector256.Create<double>(xs.Slice(j + 4, 4)), vy - Vector256.Create<double>(ys.Slice(j + 4, 4)), pHi, one, ref ax, ref ay, ref rx, ref ry, ref z);
        }
        double sax = Vector256.Sum(ax), say = Vector256.Sum(ay), srx = Vector256.Sum(rx), sry = Vector256.Sum(ry), sz = Vector256.Sum(z);
        for (; j < _n; j++)
        {
            double dx = xi - xs[j], dy = yi - ys[j];
            double num = 1 / (1 + dx * dx + dy * dy), pn = p[j] * num, nn = num * num;
            sax += pn * dx; say += pn * dy; srx += nn * dx; sry += nn * dy; sz += num;
        }
        return (sax, say, srx, sry, sz - 1);
    }

    static void Accumulate(Vector256<double> dx, Vector256<double> dy, Vector256<double> p, Vector256<double> one,
        ref Vector256<double> ax, ref Vector256<double> ay, ref Vector256<double> rx, ref Vector256<double> ry, ref Vector256<double> z)
    {
        var num = one / (one + dx * dx + dy * dy);
        var pn = p * num;
        var nn = num * num;
        ax += pn * dx; ay += pn * dy;
        rx += nn * dx; ry += nn * dy;
        z += num;
    }
}
