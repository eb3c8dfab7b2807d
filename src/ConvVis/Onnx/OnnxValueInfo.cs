namespace ConvVis;

/// <summary>One dimension of an ONNX graph input or output: a fixed size, a symbolic name (such as
/// <c>batch</c>), or unknown (both null).</summary>
/// <param name="Size">The fixed size, or null when the dimension is symbolic or unknown.</param>
/// <param name="Symbol">The symbolic name, or null.</param>
public readonly record struct OnnxDimension(long? Size, string? Symbol)
{
    /// <summary>True when the file fixes this dimension to a number.</summary>
    public bool IsFixed => Size.HasValue;

    /// <inheritdoc />
    public override string ToString() => Size?.ToString() ?? Symbol ?? "?";
}

/// <summary>A named input or output of an imported ONNX graph, with its element type and declared shape.</summary>
public sealed class OnnxValueInfo
{
    internal OnnxValueInfo(string name, string elementType, IReadOnlyList<OnnxDimension>? shape)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
    }

    /// <summary>The ONNX value name.</summary>
    public string Name { get; }

    /// <summary>The ONNX element type, e.g. <c>Float</c>.</summary>
    public string ElementType { get; }

    /// <summary>The declared shape, or null when the file declares none.</summary>
    public IReadOnlyList<OnnxDimension>? Shape { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {ElementType}[{(Shape is null ? "?" : string.Join(", ", Shape))}]";
}

/// <summary>An ONNX operator the importer supports (default domain, opsets 7 to 21).</summary>
/// <param name="Operator">The ONNX operator type, e.g. <c>Conv</c>.</param>
/// <param name="Becomes">The TorchSharp layer it becomes (a hookable submodule, e.g. <c>Conv2d</c>), or
/// <c>computed</c> when it runs as plain tensor code inside the imported module's forward.</param>
public sealed record OnnxSupportedOperator(string Operator, string Becomes);
