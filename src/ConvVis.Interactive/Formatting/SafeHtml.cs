namespace ConvVis.Interactive.Formatting;

/// <summary>Runs an HTML producer so that a failure becomes a visible, escaped note instead of a failed cell.</summary>
static class SafeHtml
{
    public static string Render(Func<string> html)
    {
        try
        {
            return html();
        }
        catch (Exception e)
        {
            return Note($"ConvVis could not draw this value: {e.GetType().Name}: {e.Message}");
        }
    }

    public static string Note(string text) =>
        $"<div class=\"convvis-note\" style=\"color:#a00;font-family:sans-serif\">{Html.Escape(text)}</div>";
}
