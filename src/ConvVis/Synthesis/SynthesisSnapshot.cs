namespace ConvVis;

/// <summary>
/// The picture of an image-synthesis loop part-way (for a live display): the step reached, the objective of each image,
/// and the pictures themselves, already rendered (no tensors).
/// </summary>
/// <param name="Method">The technique and preset, for the caption.</param>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps in all.</param>
/// <param name="Scores">The objective of each image at this step.</param>
/// <param name="Pictures">The pictures at this step.</param>
public sealed record SynthesisSnapshot(string Method, int Step, int Steps, IReadOnlyList<double> Scores, ImageGrid Pictures);
