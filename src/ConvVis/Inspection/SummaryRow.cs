using static TorchSharp.torch.nn;

namespace ConvVis;

/// <summary>One module in a <see cref="ModelSummary"/>: where it sits in the tree, its output shape and its parameters.</summary>
public sealed class SummaryRow
{
    internal SummaryRow(string name, Module module, int depth, string treePrefix, long parameters, long trainable, long totalParameters, bool hasChildren)
    {
        Name = name;
        Module = module;
        TypeName = ModelLayers.TypeName(module);
        Depth = depth;
        TreePrefix = treePrefix;
        Parameters = parameters;
        TrainableParameters = trainable;
        TotalParameters = totalParameters;
        HasChildren = hasChildren;
    }

    /// <summary>Dotted name as in <c>named_modules()</c> (<c>layer1.0.conv1</c>); the empty string for the model itself.</summary>
    public string Name { get; }

    /// <summary>The module's class name (<c>Conv2d</c>, <c>Sequential</c>, or the user's class).</summary>
    public string TypeName { get; }

    /// <summary>The module itself.</summary>
    public Module Module { get; }

    /// <summary>0 for the model, 1 for its children, and so on.</summary>
    public int Depth { get; }

    /// <summary>Whether the module has submodules (a container such as <c>Sequential</c> or a residual block).</summary>
    public bool HasChildren { get; }

    /// <summary>The output shape of the module's first call, or <c>null</c> when unknown (no dry run, or it did not fire).</summary>
    public long[]? OutputShape { get; internal set; }

    /// <summary>How many times the module ran in the dry run or capture (more than 1 for a reused module); 0 when unknown.</summary>
    public int Calls { get; internal set; }

    /// <summary>Number of parameter elements the module holds directly (not in its submodules).</summary>
    public long Parameters { get; }

    /// <summary>Of <see cref="Parameters"/>, the elements with <c>requires_grad</c>.</summary>
    public long TrainableParameters { get; }

    /// <summary>Number of parameter elements of the module and all its submodules (shared parameters counted once).</summary>
    public long TotalParameters { get; }

    internal string TreePrefix { get; }
}
