using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!dead-filters --model net --data X [--threshold t] [--batches N] [--layers ...]</c>: channels that never
/// activate on any input, with their filters, their empty maps and what usually causes them
/// (<see cref="DeadFilters"/>.Find).
/// </summary>
internal sealed class DeadFiltersMagic : DatasetScanMagic
{
    /// <summary>A channel is dead when no value is above this (default 0).</summary>
    [NumberOption("--threshold")]
    public float? Threshold { get; set; }

    internal override string DirectiveName => "#!dead-filters";
    internal override string Description => "Find channels that never activate on the data, with their filters and the usual causes";
    internal override string Example => "#!dead-filters --model net --data images";
    private protected override string ProgressLabel => "Looking for dead filters";

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
        [.. base.Options(), new("--threshold", "A channel is dead when no value is above this (default: 0)")];

    private protected override string Scan(nn.Module<Tensor, Tensor> model, InputBatches data, StatsOptions options) =>
        DeadFilters.Find(model, data, options with { Threshold = Threshold ?? 0f }, List(Layers)).ToHtml();
}
