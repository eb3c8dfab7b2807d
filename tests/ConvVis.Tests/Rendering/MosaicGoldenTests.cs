using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ConvVis.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace ConvVis.Tests.Rendering;

/// <summary>
/// What a mosaic shows must not change when its drawing is made faster: the pixels and the HTML of mosaics of the
/// benchmark's input and of edge cases (NaN, infinities, silent and constant channels, every normalisation, grey,
/// truecolour past 256 colours, downsampled maps, every tile framed) are pinned to the hashes the RGB-painting code
/// gave (commit c2a1902, before the one-byte-per-pixel painter), and the PNG must decode to exactly those pixels.
/// The PNG bytes themselves are not pinned: the zlib settings may change, the pixels may not.
/// </summary>
public class MosaicGoldenTests
{
    /// <summary>The first 16 hex digits of SHA-256 of the RGB pixels and of the HTML (data URI and element id blanked).</summary>
    private static readonly Dictionary<string, (string Pixels, string Html)> Golden = new()
    {
        ["bench"] = ("1B376A8E773AA1E9", "001B88FF265FC4D3"),
        ["nan"] = ("62F59E243E7C284E", "0649A0FC3B986810"),
        ["nansym"] = ("8ED4F4D10117E066", "3A566BCE52B5FFA3"),
        ["symmper"] = ("0E3C531130F9448A", "FC19BFEF703FD3D7"),
        ["clipshared"] = ("C578568239F936A4", "E80C339F273A4A83"),
        ["topk"] = ("EB79AE2318EB8F51", "5A52AA78C992FF64"),
        ["small"] = ("C66D34C7DEDF3697", "F3FCF72659E6686C"),
        ["down"] = ("700C9F271CB2210D", "D95158E6DA6EAAC9"),
        ["rampinfnan"] = ("53B0EE5EB717EF8A", "D0097C6CAD9BE4F2"),
        ["framed"] = ("FF4C5BC11BC929B1", "14240B48D29A5AF3"),
        ["framedgray"] = ("89DE62AE19876291", "2FA1DF181B3A14C1"),
    };

    /// <summary>The inputs, drawn in this order from the seeded generator (the order fixes the values).</summary>
    private static List<(string Name, Tensor Input, MosaicOptions Options)> Cases()
    {
        manual_seed(42);
        var coarse = randn(1, 256, 14, 14);
        var bench = nn.functional.relu(nn.functional.interpolate(coarse, size: [56, 56], mode: InterpolationMode.Bilinear, align_corners: false)).squeeze(0);
        manual_seed(7);
        var signed = randn(40, 9, 13);
        var nan = randn(12, 5, 7);
        nan[1].fill_(0f); nan[2].fill_(3f); nan[3, 2, 2] = float.NaN; nan[4, 0, 0] = float.PositiveInfinity; nan[5].fill_(float.NaN); nan[6, 1, 1] = float.NegativeInfinity;
        var ramp = arange(0f, 4 * 64 * 64).reshape(4, 64, 64);
        var rampNan = ramp.clone();
        rampNan[2, 5, 5] = float.NaN;
        var framed = randn(4, 3, 3);
        framed[0].fill_(0f); framed[1].fill_(2f); framed[2].fill_(0f); framed[3, 1, 1] = float.NaN;
        var small = randn(3, 2, 3);
        var big = randn(16, 300, 300);
        return
        [
            ("bench", bench, new MosaicOptions { MaxChannels = 256 }),
            ("nan", nan, new MosaicOptions()),
            ("nansym", nan, new MosaicOptions { Normalization = Normalization.Symmetric, Colormap = Colormap.Diverging }),
            ("symmper", signed, new MosaicOptions { Normalization = Normalization.SymmetricPerChannel, Colormap = Colormap.Gray, Columns = 7 }),
            ("clipshared", signed, new MosaicOptions { ClipPercentile = 99, Normalization = Normalization.Shared, Title = "t <&>" }),
            ("topk", bench, new MosaicOptions { TopK = 10, Channels = [5, 3, 200, 17, 9, 100, 101, 102, 250, 0, 1, 2] }),
            ("small", small, new MosaicOptions()),
            ("down", big, new MosaicOptions { MaxPixels = 200_000 }),
            ("rampinfnan", rampNan, new MosaicOptions { Normalization = Normalization.Shared, Colormap = Colormap.Inferno }),
            ("framed", framed, new MosaicOptions { Columns = 2 }),
            ("framedgray", framed, new MosaicOptions { Columns = 2, Colormap = Colormap.Gray, MinTileSize = 7 }),
        ];
    }

    private static string Hash(byte[] data) => Convert.ToHexString(SHA256.HashData(data))[..16];

    [Fact]
    public void PixelsAndHtmlAreThoseOfTheRgbPainter()
    {
        using var scope = NewDisposeScope();
        foreach (var (name, input, options) in Cases())
        {
            var mosaic = Mosaic.Of(input, options);
            var pixels = mosaic.Picture.Image.Pixels;
            using var decoded = Image.Load<Rgb24>(mosaic.ToPng());
            var png = new byte[decoded.Width * decoded.Height * 3];
            decoded.CopyPixelDataTo(png);
            Assert.True(png.AsSpan().SequenceEqual(pixels), $"{name}: the PNG does not decode to the picture's pixels");

            string html = Regex.Replace(mosaic.ToHtml(), "cv[0-9a-f]+-[0-9]+", "ID");
            html = Regex.Replace(html, "data:image/png;base64,[A-Za-z0-9+/=]+", "URI");
            Assert.Equal((name, Golden[name].Pixels, Golden[name].Html), (name, Hash(pixels), Hash(Encoding.UTF8.GetBytes(html))));
        }
    }
}
