using static TorchSharp.torch;

namespace ConvVis.Synthesis;

/// <summary>
/// Jitter (CS231n, Mordvintsev et al.): the image is rolled by a random offset before the forward pass and rolled back
/// after the step, so no single pixel grid is optimised and high-frequency patterns that only fool one alignment fade.
/// </summary>
internal static class Jitter
{
    /// <summary>A random offset (dy, dx), each in [−max, max].</summary>
    public static (int Dy, int Dx) Offset(Random random, int max) => max <= 0 ? (0, 0) : (random.Next(-max, max + 1), random.Next(-max, max + 1));

    /// <summary>Rolls [N, C, H, W] by (dy, dx) (pixels leaving one side come back on the other).</summary>
    public static Tensor Roll(Tensor x, int dy, int dx) => dy == 0 && dx == 0 ? x.alias() : x.roll([dy, dx], [2, 3]);
}
