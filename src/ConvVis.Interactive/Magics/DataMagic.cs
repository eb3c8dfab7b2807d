using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// What the magic commands that run a model over a data set share: <c>--model</c>, <c>--data</c> (any form
/// <see cref="InputBatches.FromAny"/> takes) and <c>--batches</c>.
/// </summary>
internal abstract class DataMagic : ModelMagic
{
    /// <summary>The variable holding the input data.</summary>
    public string? Data { get; set; }

    /// <summary>The most batches to scan.</summary>
    [NumberOption("--batches")]
    public int? Batches { get; set; }

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
    [
        .. base.Options(),
        new("--data", "The variable that holds the inputs: Tensor [N,C,H,W], LabeledImages, a DataLoader or an IEnumerable of batches (required)"),
        new("--batches", $"Scan at most this many batches of {InputBatches.DefaultBatchSize} (default: all)"),
    ];

    /// <summary>The <c>--data</c> variable as input batches, or an error naming the variable, what it is and what is accepted.</summary>
    internal InputBatches GetData(CSharpKernel kernel)
    {
        if (Batches is <= 0) throw new ArgumentException($"{DirectiveName}: --batches must be a positive number, not {Batches}.");
        return InputBatches.FromAny(GetDataValue(kernel), dataName: $"{DirectiveName}: --data '{Data}'");
    }

    /// <summary>The <c>--data</c> variable as it is (e.g. to read the class names of a <see cref="LabeledImages"/> set).</summary>
    internal object GetDataValue(CSharpKernel kernel) =>
        KernelVariables.Get<object>(kernel, Data, "--data", DirectiveName,
            "input data: a Tensor [N, C, H, W], LabeledImages, a DataLoader or an IEnumerable of batches");
}
