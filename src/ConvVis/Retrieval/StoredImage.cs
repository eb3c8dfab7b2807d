using static TorchSharp.torch;

namespace ConvVis;

/// <summary>A small image kept as float32 pixels [C, H, W] (no tensor, so results can be kept freely).</summary>
public sealed class StoredImage
{
    internal StoredImage(int channels, int height, int width, float[] values)
    {
        Channels = channels; Height = height; Width = width; Values = values;
    }

    /// <summary>Channels (1 grey, 3 colour).</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>The pixels, channel-major (C, then H, then W), as the data set gave them.</summary>
    public IReadOnlyList<float> Pixels => Values;

    internal float[] Values { get; }

    /// <summary>A new tensor [C, H, W] of the pixels (the caller disposes it).</summary>
    public Tensor ToTensor() => tensor(Values, [Channels, Height, Width]);

    /// <summary>The rows <paramref name="top"/>.. and columns <paramref name="left"/>.. of size <paramref name="height"/> x <paramref name="width"/> (inside the image).</summary>
    internal StoredImage Crop(int top, int left, int height, int width)
    {
        var values = new float[Channels * height * width];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < height; y++)
                Array.Copy(Values, (c * Height + top + y) * Width + left, values, (c * height + y) * width, width);
        return new StoredImage(Channels, height, width, values);
    }

    internal static StoredImage Of(Tensor image)
    {
        using var x = image.detach().cpu().to(ScalarType.Float32).contiguous();
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(x.bytes).ToArray();
        return new StoredImage((int)x.shape[0], (int)x.shape[1], (int)x.shape[2], values);
    }
}
