namespace ConvVis.Tests.Embedding;

public class TSneScatterTests
{
    [Fact]
    public void OneTracePerLabelWithIndexAndLabelOnHover()
    {
        var map = new TSneEmbedding([0, 0, 1, 1, 2, 2, 3, 3], [1, 0, 1, 2], TSneMethod.Exact, 0, [], 0, 1, 2);
        var scatter = TSneScatter.Of(map, ["cat", "<dog>"]);
        Assert.Equal(3, scatter.Traces);
        var html = scatter.ToHtml();
        Assert.Contains("\"name\":\"cat\"", html);
        Assert.Contains("index 2\\u003cbr\\u003elabel &lt;dog&gt;", html);
        Assert.Contains("\"name\":\"&lt;dog&gt;\"", html);
        Assert.Contains("\"name\":\"2\"", html); // a label without a name shows its number
        Assert.DoesNotContain("<dog>", html);
        Assert.DoesNotContain("cdn.plot.ly", html);
        Assert.Contains("\"hoverinfo\":\"text\"", html);
    }

    [Fact]
    public void WithoutLabelsOneTraceNamesOnlyTheIndex()
    {
        var map = new TSneEmbedding([0, 0, 1, 1], null, TSneMethod.Exact, 0, [], 0, 1, 2);
        var scatter = TSneScatter.Of(map);
        Assert.Equal(1, scatter.Traces);
        Assert.Contains("index 1", scatter.ToHtml());
        Assert.Contains("\"text\":[\"index 0\",\"index 1\"]", scatter.ToHtml());
    }
}
