using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.AttributionCore;

/// <summary>
/// Finds a layer by its dotted name. (A private lookup: the shared <c>ModelLayers.Get</c> of the inspect branch
/// had not landed when this was written.)
/// </summary>
internal static class LayerLookup
{
    public static nn.Module<Tensor, Tensor> Find(nn.Module model, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var names = new List<string>();
        foreach (var (n, m) in model.named_modules())
        {
            if (n == name)
            {
                return m as nn.Module<Tensor, Tensor> ?? throw new ArgumentException(
                    $"Layer '{name}' is a {m.GetType().Name}, which does not map one tensor to one tensor, so it cannot be hooked. Pick a layer such as a convolution or an activation.");
            }
            names.Add(n);
        }
        if (names.Count == 0)
            throw new ArgumentException($"The model has no layer named '{name}': it has no registered sub-modules (did its constructor call RegisterComponents()?).");
        string closest = names.OrderBy(n => Distance(n, name)).ThenBy(n => n.Length).First();
        throw new ArgumentException(
            $"The model has no layer named '{name}'. Did you mean '{closest}'? Valid layer names: {string.Join(", ", names)}.");
    }

    /// <summary>Levenshtein edit distance.</summary>
    internal static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
