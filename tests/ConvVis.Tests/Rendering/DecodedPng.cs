using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ConvVis.Tests.Rendering;

/// <summary>A PNG decoded with ImageSharp, for pixel-exact assertions.</summary>
internal sealed class DecodedPng
{
    private readonly Image<Rgb24> _image;

    public DecodedPng(byte[] png) => _image = Image.Load<Rgb24>(png);

    public int Width => _image.Width;
    public int Height => _image.Height;

    public (byte R, byte G, byte B) this[int x, int y] { get { var p = _image[x, y]; return (p.R, p.G, p.B); } }

    public static DecodedPng Of(IVisual v) => new(v.ToPng());

    /// <summary>The PNG embedded as a data URI in an HTML view.</summary>
    public static DecodedPng FromHtml(string html)
    {
        var m = Regex.Match(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(m.Success, "the HTML has no PNG data URI");
        return new DecodedPng(Convert.FromBase64String(m.Groups[1].Value));
    }

    /// <summary>Asserts every pixel of the w x h block at (x, y) has colour <paramref name="c"/>.</summary>
    public void AssertBlock(int x, int y, int w, int h, (byte, byte, byte) c)
    {
        for (int j = y; j < y + h; j++)
            for (int i = x; i < x + w; i++)
                Assert.True(this[i, j] == c, $"pixel ({i},{j}) is {this[i, j]}, expected {c}");
    }

    public static (byte, byte, byte) Grey(int v) => ((byte)v, (byte)v, (byte)v);
    public static readonly (byte, byte, byte) White = (255, 255, 255);
    public static readonly (byte, byte, byte) Red = (230, 0, 0);
    public static readonly (byte, byte, byte) Orange = (255, 150, 0);
    public static readonly (byte, byte, byte) Magenta = (255, 0, 255);
}
