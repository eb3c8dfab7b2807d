using System.Runtime.InteropServices;
using ConvVis.Imaging;
using ConvVis.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Loads PNG and JPEG images into <c>[3,H,W]</c> float tensors with values in [0,1] (RGB), and
/// resizes and crops them. Files are treated as untrusted: the size the header declares is checked
/// against <see cref="ImageLoadOptions.MaxPixels"/> before any pixel is decoded (a tiny file can
/// declare a gigapixel image), the file must be whole (a truncated PNG or JPEG, or one whose compressed
/// data is too short for the size it declares, is refused before decoding instead of coming out with rows
/// of garbage), and every decoding failure is an <see cref="InvalidDataException"/> naming the file and the
/// problem.
/// </summary>
/// <example>
/// <code>
/// using var img = ImageLoader.Load("cat.png");                       // [3,H,W] in [0,1]
/// using var x = ImageLoader.ResizeAndCenterCrop(img, 256, 224);      // [3,224,224]
/// using var input = ImageNormalization.ImageNet.Normalize(x).unsqueeze(0);
/// </code>
/// </example>
public static class ImageLoader
{
    // Only the two formats we promise: fewer decoders, less attack surface.
    private static readonly Configuration Formats = new(new PngConfigurationModule(), new JpegConfigurationModule());

    /// <summary>Loads a PNG or JPEG file as a <c>[3,H,W]</c> float tensor in [0,1] (RGB; alpha and palettes are flattened, greyscale is repeated).</summary>
    /// <param name="path">The image file.</param>
    /// <param name="options">Size limits; <see cref="ImageLoadOptions.Default"/> when null.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Not a PNG or JPEG, corrupt, truncated, or larger than the limits.</exception>
    public static Tensor Load(string path, ImageLoadOptions? options = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        return Load(stream, options, path);
    }

    /// <summary>Loads a PNG or JPEG image from a stream as a <c>[3,H,W]</c> float tensor in [0,1].</summary>
    /// <param name="stream">The encoded image; read from its current position.</param>
    /// <param name="options">Size limits; <see cref="ImageLoadOptions.Default"/> when null.</param>
    /// <param name="sourceName">A name for error messages.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    /// <exception cref="InvalidDataException">Not a PNG or JPEG, corrupt, truncated, or larger than the limits.</exception>
    public static Tensor Load(Stream stream, ImageLoadOptions? options = null, string sourceName = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= ImageLoadOptions.Default;
        byte[] file = ReadBounded(stream, options.MaxFileBytes, sourceName);
        void CheckDeclaredSize(int width, int height) => CheckSize(width, height, options, sourceName);

        // ImageSharp decodes damaged files without a word (missing rows come out as garbage) and allocates whatever a
        // header declares: check the file's structure and that its data can cover the declared size first.
        if (PngIntegrity.HasSignature(file))
            PngIntegrity.Check(file, sourceName, CheckDeclaredSize);
        else if (JpegIntegrity.HasSignature(file))
            JpegIntegrity.Check(file, sourceName, CheckDeclaredSize);
        else
            throw new InvalidDataException($"Image '{sourceName}' is not a PNG or JPEG file (unrecognised header).");

        try
        {
            using var image = Image.Load<Rgb24>(Formats, file);
            image.Mutate(c => c.AutoOrient());   // camera JPEGs store rotation in EXIF; show them upright
            // The decoder may disagree with the header we checked; never trust the first answer alone.
            CheckSize(image.Width, image.Height, options, sourceName);
            return ToTensor(image);
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any decoder failure means a damaged file, whatever the exception type: ImageSharp's JPEG decoder
            // throws NullReferenceException on some corrupt files.
            throw new InvalidDataException($"Image '{sourceName}' is corrupt: the decoder failed with {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>The rest of the stream, refused as soon as it is known to exceed <paramref name="limit"/> bytes.</summary>
    private static byte[] ReadBounded(Stream stream, long limit, string sourceName)
    {
        if (stream.CanSeek)
        {
            long length = stream.Length - stream.Position;
            if (length > limit)
                throw new InvalidDataException($"Image '{sourceName}' is {length} bytes, more than the limit of {limit} (ImageLoadOptions.MaxFileBytes).");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += n;
            if (total > limit)
                throw new InvalidDataException($"Image '{sourceName}' is more than {limit} bytes (ImageLoadOptions.MaxFileBytes).");
            copy.Write(buffer, 0, n);
        }
        return copy.ToArray();
    }

    private static void CheckSize(int width, int height, ImageLoadOptions options, string sourceName)
    {
        if (width <= 0 || height <= 0)
            throw new InvalidDataException($"Image '{sourceName}' declares an empty size {width}x{height}.");
        if ((long)width * height > options.MaxPixels)
            throw new InvalidDataException($"Image '{sourceName}' declares {width}x{height} = {(long)width * height} pixels, more than the limit of {options.MaxPixels} (ImageLoadOptions.MaxPixels); refusing to decode it (a possible decompression bomb). Raise the limit only for files you trust.");
    }

    private static Tensor ToTensor(Image<Rgb24> image)
    {
        int w = image.Width, h = image.Height, plane = w * h;
        var pixels = new Rgb24[plane];
        image.CopyPixelDataTo(pixels);
        var data = new float[3 * plane];
        const float scale = 1f / 255f;
        for (int i = 0; i < plane; i++)
        {
            data[i] = pixels[i].R * scale;
            data[plane + i] = pixels[i].G * scale;
            data[2 * plane + i] = pixels[i].B * scale;
        }
        return torch.tensor(data, new long[] { 3, h, w });
    }

    /// <summary>Resizes a <c>[C,H,W]</c> or <c>[N,C,H,W]</c> image tensor with bilinear interpolation,
    /// antialiased when shrinking (like PIL and torchvision with <c>antialias=True</c>).</summary>
    /// <param name="image">The image tensor.</param>
    /// <param name="height">Target height.</param>
    /// <param name="width">Target width.</param>
    /// <returns>A new tensor.</returns>
    public static Tensor Resize(Tensor image, int height, int width)
    {
        CheckImage(image);
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"Target size {height}x{width} must be positive.");
        bool single = image.dim() == 3;
        using var batch = single ? image.unsqueeze(0) : image.alias();
        using var resized = nn.functional.interpolate(batch, new long[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return single ? resized.squeeze(0) : resized.alias();
    }

    /// <summary>Resizes so that the shorter side is <paramref name="size"/>, keeping the aspect ratio.</summary>
    /// <param name="image">A <c>[C,H,W]</c> or <c>[N,C,H,W]</c> image tensor.</param>
    /// <param name="size">Target length of the shorter side.</param>
    /// <returns>A new tensor.</returns>
    public static Tensor ResizeShorterSide(Tensor image, int size)
    {
        CheckImage(image);
        long h = image.shape[^2], w = image.shape[^1];
        return h <= w
            ? Resize(image, size, (int)Math.Max(1, Math.Round((double)w * size / h)))
            : Resize(image, (int)Math.Max(1, Math.Round((double)h * size / w)), size);
    }

    /// <summary>Crops the centre <paramref name="height"/> x <paramref name="width"/> region.</summary>
    /// <param name="image">A <c>[C,H,W]</c> or <c>[N,C,H,W]</c> image tensor at least that large.</param>
    /// <param name="height">Crop height.</param>
    /// <param name="width">Crop width.</param>
    /// <returns>A new (contiguous) tensor.</returns>
    public static Tensor CenterCrop(Tensor image, int height, int width)
    {
        CheckImage(image);
        long h = image.shape[^2], w = image.shape[^1];
        if (height > h || width > w || height <= 0 || width <= 0)
            throw new ArgumentException($"Cannot crop {height}x{width} from an image of {h}x{w}; resize it first (ResizeShorterSide).", nameof(image));
        long top = (h - height) / 2, left = (w - width) / 2;
        using var rows = image.narrow(-2, top, height);
        using var crop = rows.narrow(-1, left, width);
        return crop.contiguous();
    }

    /// <summary>The usual ImageNet evaluation transform: shorter side to <paramref name="resize"/>, then a centre crop of <paramref name="crop"/>².</summary>
    /// <param name="image">A <c>[C,H,W]</c> or <c>[N,C,H,W]</c> image tensor.</param>
    /// <param name="resize">Shorter side after resizing (e.g. 256).</param>
    /// <param name="crop">Side of the square centre crop (e.g. 224).</param>
    /// <returns>A new tensor.</returns>
    public static Tensor ResizeAndCenterCrop(Tensor image, int resize, int crop)
    {
        using var resized = ResizeShorterSide(image, resize);
        return CenterCrop(resized, crop, crop);
    }

    private static void CheckImage(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() is not (3 or 4))
            throw new ArgumentException($"Expected an image tensor [C,H,W] or [N,C,H,W], got shape [{string.Join(", ", image.shape)}].", nameof(image));
    }
}
