namespace ConvVis;

/// <summary>Which t-SNE gradient <see cref="TSne.Embed(TorchSharp.torch.Tensor, TSneOptions?, IReadOnlyList{long}?)"/> uses.</summary>
public enum TSneMethod
{
    /// <summary>Exact below <see cref="TSne.ExactLimit"/> points, Barnes-Hut above.</summary>
    Auto,

    /// <summary>All N² pairs, dense P (memory and time grow with N²: for up to a few thousand points).</summary>
    Exact,

    /// <summary>Barnes-Hut: sparse P over 3 x perplexity nearest neighbours and a quadtree for the repulsion (N log N).</summary>
    BarnesHut,
}
