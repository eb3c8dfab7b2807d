using System.Globalization;

namespace ConvVis;

/// <summary>
/// What an attribution explains: the score of a class (one index for the whole batch or one per sample),
/// or a unit of a layer (the mean of one channel's map, or its value at one position) for nets without a classifier.
/// </summary>
public sealed class AttributionTarget
{
    private readonly int[]? _classes;

    private AttributionTarget(int[]? classes, bool perSample, string? layer, int channel, (int Y, int X)? position)
    {
        _classes = classes;
        IsPerSample = perSample;
        Layer = layer;
        Channel = channel;
        Position = position;
    }

    /// <summary>The same class index for every sample of the batch (the score is the model output at that index).</summary>
    public static AttributionTarget Class(int classIndex)
    {
        if (classIndex < 0) throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, "A class index must be zero or positive.");
        return new AttributionTarget([classIndex], false, null, 0, null);
    }

    /// <summary>One class index per sample: <paramref name="perSample"/>[n] is the target of image n.</summary>
    public static AttributionTarget Classes(params int[] perSample)
    {
        ArgumentNullException.ThrowIfNull(perSample);
        if (perSample.Length == 0) throw new ArgumentException("Give one class index per sample (the array is empty).", nameof(perSample));
        int bad = Array.FindIndex(perSample, c => c < 0);
        if (bad >= 0) throw new ArgumentOutOfRangeException(nameof(perSample), $"Class index of sample {bad} is {perSample[bad]}; class indices must be zero or positive.");
        return new AttributionTarget((int[])perSample.Clone(), true, null, 0, null);
    }

    /// <summary>
    /// A unit of a layer: the objective is the mean of channel <paramref name="channel"/> of the layer's output
    /// (or its value at <paramref name="position"/> = (y, x) of the feature map when given).
    /// </summary>
    public static AttributionTarget Unit(string layer, int channel, (int y, int x)? position = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(layer);
        if (channel < 0) throw new ArgumentOutOfRangeException(nameof(channel), channel, "A channel index must be zero or positive.");
        if (position is { } p && (p.y < 0 || p.x < 0))
            throw new ArgumentOutOfRangeException(nameof(position), $"Position ({p.y}, {p.x}) must be zero or positive.");
        return new AttributionTarget(null, false, layer, channel, position is { } q ? (q.y, q.x) : null);
    }

    /// <summary>A class index converts to <see cref="Class(int)"/>.</summary>
    public static implicit operator AttributionTarget(int classIndex) => Class(classIndex);

    /// <summary>True for a unit target (<see cref="Unit"/>), false for class targets.</summary>
    public bool IsUnit => Layer is not null;

    /// <summary>True when every sample has its own class index (<see cref="Classes"/>).</summary>
    public bool IsPerSample { get; }

    /// <summary>The layer of a unit target, or null for class targets.</summary>
    public string? Layer { get; }

    /// <summary>The channel of a unit target.</summary>
    public int Channel { get; }

    /// <summary>The (y, x) position of a unit target in the layer's feature map, or null for the channel mean.</summary>
    public (int Y, int X)? Position { get; }

    /// <summary>The class index of sample <paramref name="sample"/> (class targets only).</summary>
    public int ClassOf(int sample)
    {
        if (_classes is null) throw new InvalidOperationException("A unit target has no class index.");
        return IsPerSample ? _classes[sample] : _classes[0];
    }

    /// <summary>Checks that the target fits a batch of <paramref name="batchSize"/> samples.</summary>
    internal void Validate(long batchSize)
    {
        if (IsPerSample && _classes!.Length != batchSize)
            throw new ArgumentException($"The target has {_classes.Length} class indices but the input batch has {batchSize} samples; give one class index per sample.");
    }

    /// <summary>The target for a batch whose row r is a copy (noisy, scaled, occluded) of sample <paramref name="rowToSample"/>[r].</summary>
    internal AttributionTarget ForRows(int[] rowToSample)
        => IsUnit || !IsPerSample ? this : new AttributionTarget(rowToSample.Select(s => _classes![s]).ToArray(), true, null, 0, null);

    /// <summary>A short description: "class 3", "classes [1, 4, 2]", "unit conv2[5]" or "unit conv2[5] at (3, 4)".</summary>
    public override string ToString()
    {
        if (IsUnit)
            return Position is { } p
                ? string.Create(CultureInfo.InvariantCulture, $"unit {Layer}[{Channel}] at ({p.Y}, {p.X})")
                : string.Create(CultureInfo.InvariantCulture, $"unit {Layer}[{Channel}]");
        return IsPerSample ? $"classes [{string.Join(", ", _classes!)}]" : $"class {_classes![0]}";
    }

    /// <summary>The target of one sample, for captions.</summary>
    public string Describe(int sample) => IsUnit || !IsPerSample ? ToString() : $"class {_classes![sample]}";
}
