namespace ConvVis;

/// <summary>Anything ConvVis can show as self-contained HTML (no external scripts, images as data URIs).</summary>
public interface IHtmlView
{
    /// <summary>The view as a self-contained HTML fragment.</summary>
    string ToHtml();
}
