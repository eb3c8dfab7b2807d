namespace ConvVis.Tests.Rendering;

public class ColormapTests
{
    [Fact]
    public void EndpointsMatchThePublishedMaps()
    {
        Assert.Equal(((byte)68, (byte)1, (byte)84), Colormap.Viridis.ColorOf(0));
        Assert.Equal(((byte)253, (byte)231, (byte)37), Colormap.Viridis.ColorOf(1));
        Assert.Equal(((byte)0, (byte)0, (byte)4), Colormap.Inferno.ColorOf(0));
        Assert.Equal(((byte)252, (byte)255, (byte)164), Colormap.Inferno.ColorOf(1));
        Assert.Equal(((byte)0, (byte)0, (byte)0), Colormap.Gray.ColorOf(0));
        Assert.Equal(((byte)128, (byte)128, (byte)128), Colormap.Gray.ColorOf(0.5));
    }

    [Fact]
    public void DivergingIsBlueLowNearWhiteMiddleRedHigh()
    {
        var (r0, _, b0) = Colormap.Diverging.ColorOf(0);
        var (r1, _, b1) = Colormap.Diverging.ColorOf(1);
        var mid = Colormap.Diverging.ColorOf(0.5);
        Assert.True(b0 > r0 && r1 > b1);
        Assert.True(mid.R > 240 && mid.G > 240 && mid.B > 240, $"middle {mid}");
    }

    [Fact]
    public void SpanMappingClampsAndPaintsNaNMagenta()
    {
        float[] values = [-1f, 0f, 0.5f, 1f, 2f, float.NaN];
        var rgb = new byte[values.Length * 3];
        Colormap.Gray.Map(values, rgb);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 0, 255 }, rgb);
        Assert.Throws<ArgumentException>(() => Colormap.Gray.Map(values, new byte[3]));
    }

    [Fact]
    public void NamesResolveAndUnknownNamesListTheValidOnes()
    {
        Assert.Same(Colormap.Inferno, Colormap.FromName("INFERNO"));
        var e = Assert.Throws<ArgumentException>(() => Colormap.FromName("jet"));
        Assert.Contains("gray, viridis, inferno, diverging", e.Message);
    }

    [Fact]
    public void MosaicsUseTheChosenMap()
    {
        using var a = TorchSharp.torch.tensor(new float[] { 0, 1 }, [1, 1, 2]);
        var png = DecodedPng.Of(Mosaic.Of(a, new MosaicOptions { MinTileSize = 1 }));   // default viridis
        Assert.Equal(((byte)68, (byte)1, (byte)84), png[2, 2]);
        Assert.Equal(((byte)253, (byte)231, (byte)37), png[3, 2]);
    }
}
