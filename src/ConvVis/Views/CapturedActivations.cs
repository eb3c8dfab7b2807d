using System.Collections;
using System.Text;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Activations taken out of an <see cref="ActivationRecorder"/>: what <c>#!capture --into NAME</c> stores. Read a
/// layer with <c>acts["conv1"]</c> (its last call) or <see cref="Calls"/> (every call of a reused module). Renders
/// as one collapsible mosaic per layer. Owns its tensors: dispose it to free them.
/// </summary>
public sealed class CapturedActivations : IReadOnlyDictionary<string, Tensor>, IHtmlView, IDisposable
{
    readonly Dictionary<string, Tensor[]> _calls;

    /// <summary>Takes every stored activation from <paramref name="recorder"/> (which then records afresh).</summary>
    public CapturedActivations(ActivationRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        _calls = recorder.TakeAll();
        NotFired = recorder.NotFired;
        NotFiredExplanation = recorder.NotFiredExplanation;
    }

    /// <summary>The most channels each layer's mosaic shows.</summary>
    public int MaxChannels { get; set; } = 64;

    /// <summary>
    /// How each layer's mosaic scales its channels: per channel (default, every map's own range) or
    /// <see cref="Normalization.Shared"/> (one range per layer, so a single active pixel does not look as strong as a
    /// fully active map, and the colour bar has numbers).
    /// </summary>
    public Normalization Normalization { get; set; } = Normalization.PerChannel;

    /// <summary>Requested layers that never fired.</summary>
    public IReadOnlyList<string> NotFired { get; }

    /// <summary>Why layers may not have fired, or null when all did.</summary>
    public string? NotFiredExplanation { get; }

    /// <summary>Every call's activation of a layer, in call order.</summary>
    public IReadOnlyList<Tensor> Calls(string layer) => _calls.TryGetValue(layer, out var c) ? c : throw Missing(layer);

    /// <summary>The last call's activation of <paramref name="layer"/>.</summary>
    public Tensor this[string layer] => Calls(layer)[^1];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _calls.Keys;
    /// <inheritdoc />
    public IEnumerable<Tensor> Values => _calls.Values.Select(c => c[^1]);
    /// <inheritdoc />
    public int Count => _calls.Count;
    /// <inheritdoc />
    public bool ContainsKey(string key) => _calls.ContainsKey(key);
    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value)
    {
        value = _calls.TryGetValue(key, out var c) ? c[^1] : null;
        return value is not null;
    }
    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _calls.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value[^1])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public string ToHtml()
    {
        var html = new StringBuilder("<div class=\"convvis-capture\" style=\"font-family:sans-serif\">");
        foreach (var (layer, tensors) in _calls)
        {
            for (int i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                string name = tensors.Length > 1 ? $"{layer} (call {i + 1} of {tensors.Length})" : layer;
                html.Append("<details open><summary><b>").Append(Html.Escape(name)).Append("</b> ")
                    .Append(Html.Escape("[" + string.Join(", ", t.shape) + "]")).Append("</summary>");
                html.Append(t.dim() is 3 or 4 && t.is_floating_point()
                    ? Mosaic.Of(t, new MosaicOptions { MaxChannels = MaxChannels, Normalization = Normalization }).ToHtml()
                    : TensorView.HeaderHtml(t));
                html.Append("</details>");
            }
        }
        if (NotFiredExplanation is { } why)
            html.Append("<div style=\"color:#a00\">").Append(Html.Escape(why)).Append("</div>");
        return html.Append("</div>").ToString();
    }

    /// <summary>Frees every activation.</summary>
    public void Dispose()
    {
        foreach (var t in _calls.Values.SelectMany(c => c)) t.Dispose();
        _calls.Clear();
    }

    KeyNotFoundException Missing(string layer) =>
        new($"No activation of '{layer}' was captured. Captured layers: {(_calls.Count == 0 ? "none" : string.Join(", ", _calls.Keys))}." +
            (NotFiredExplanation is { } why ? " " + why : ""));
}
