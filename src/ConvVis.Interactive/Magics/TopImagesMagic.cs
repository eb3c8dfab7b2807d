using System.Globalization;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!top-images --model net --layer relu2 --data test [--channels 0-7] [-k 9] [--patches]</c>: the inputs of a data
/// set that excite each unit most, a row per unit (<see cref="TopActivations.Find(nn.Module{Tensor, Tensor}, string, IReadOnlyList{int}?, InputBatches, TopActivationsOptions)"/>).
/// </summary>
internal sealed class TopImagesMagic : DataMagic
{
    const string Name = "#!top-images";
    const int DefaultChannels = 8;

    /// <summary>The layer whose units are ranked.</summary>
    public string? Layer { get; set; }

    /// <summary>Channels: "0-7", "3", "0,4,9" or "0-3,8".</summary>
    public string? Channels { get; set; }

    /// <summary>Inputs per unit.</summary>
    [NumberOption("-k")]
    public int? K { get; set; }

    /// <summary>Show the receptive-field patches instead of whole images.</summary>
    public bool Patches { get; set; }

    /// <summary>Rank by the mean activation instead of the max.</summary>
    public bool Mean { get; set; }

    internal override string DirectiveName => Name;
    internal override string Description => "The inputs (or receptive-field patches) of a data set that excite each unit of a layer most";
    internal override string Example => "#!top-images --model net --layer relu2 --data test --channels 0-7 -k 9";

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
    [
        .. base.Options(),
        new("--layer", "The layer whose units are ranked, e.g. relu2 (required)"),
        new("--channels", $"Channels to show: 0-7, 3, 0,4,9 or 0-3,8 (default: the first {DefaultChannels})"),
        new("-k", "Inputs per unit (default 9)"),
        new("--patches", "Show the receptive-field patch around each maximum instead of the whole image") { Flag = true },
        new("--mean", "Rank by the mean activation instead of the max") { Flag = true },
    ];

    internal override string? Run(CSharpKernel kernel, KernelInvocationContext context)
    {
        if (string.IsNullOrWhiteSpace(Layer))
            throw new ArgumentException($"{Name}: give the layer whose units to rank: --layer NAME (e.g. --layer relu2).");
        if (K is <= 0 or > 100) throw new ArgumentException($"{Name}: -k must be in 1..100, not {K}.");
        var model = GetModel<nn.Module<Tensor, Tensor>>(kernel);
        var data = GetData(kernel);
        var channels = Channels is null ? null : ParseChannels(Channels);
        var names = GetDataValue(kernel) is LabeledImages labeled ? labeled.ClassNames : null;
        using var progress = NotebookProgress.Show(context, "Ranking inputs");
        var options = new TopActivationsOptions
        {
            K = K ?? 9,
            Ranking = Mean ? UnitRanking.Mean : UnitRanking.Max,
            MaxBatches = Batches,
            MaxChannels = channels is null ? DefaultChannels : null,
            ClassNames = names,
            Progress = progress,
            CancellationToken = progress.CancellationToken,
        };
        return TopActivations.Find(model, Layer.Trim(), channels, data, options).Grid(Patches).ToHtml();
    }

    /// <summary>"0-7", "3", "0,4,9", "0-3,8" as channel numbers, or an error that shows the forms.</summary>
    internal static int[] ParseChannels(string text)
    {
        var channels = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is 1 or 2 && ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                int from = int.Parse(ends[0], CultureInfo.InvariantCulture), to = int.Parse(ends[^1], CultureInfo.InvariantCulture);
                if (to < from) throw new ArgumentException($"{Name}: --channels '{text}': the range {part} runs backwards; write {to}-{from}.");
                if (to - from > 4096) throw new ArgumentException($"{Name}: --channels '{text}': the range {part} is too long.");
                for (int c = from; c <= to; c++) if (!channels.Contains(c)) channels.Add(c);
            }
            else
            {
                throw new ArgumentException($"{Name}: --channels '{text}' is not a channel list; write e.g. 0-7, 3, 0,4,9 or 0-3,8.");
            }
        }
        if (channels.Count == 0) throw new ArgumentException($"{Name}: --channels is empty; write e.g. 0-7.");
        return [.. channels];
    }
}
