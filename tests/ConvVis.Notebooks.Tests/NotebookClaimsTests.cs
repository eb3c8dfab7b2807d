using System.Globalization;
using System.Text.RegularExpressions;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// The demo notebooks show what their text claims: the numbers their cells display (filter noise, sparsity,
/// dead channels, accuracy) are parsed from the executed notebooks and checked against the claims of the
/// markdown beside them.
/// </summary>
public sealed partial class NotebookClaimsTests(NotebookRun run) : IClassFixture<NotebookRun>
{
    const string Filters = "01-filters-and-activations";
    const string Health = "02-dead-filters-and-sparsity";

    /// <summary>"A first layer that smooths": the score falls at least this many times below its initial value.</summary>
    const double SmoothingFactor = 2.0;

    [Fact]
    public void Notebook01_FirstLayerFiltersStartNoisyAndTrainingSmoothsThem()
    {
        var nb = run.Load(Filters);
        var init = Match(nb, InitialNoise());
        double atInit = Number(init, "init");
        Assert.True(atInit > 0.9, $"{Filters}: the initial conv1 filters should score about 1 (white noise), not {atInit}");
        Assert.Equal("Noisy", init.Groups["verdict"].Value);

        var fell = Match(nb, NoiseFell());
        double from = Number(fell, "from"), to = Number(fell, "to");
        Assert.Equal(atInit, from, 2);
        Assert.True(from / to >= SmoothingFactor,
            $"{Filters}: conv1 filter noise fell only from {from} to {to}, less than {SmoothingFactor}x: '{fell.Value}'");
        Assert.True(to <= FilterNoiseSmoothThreshold, $"{Filters}: conv1 filter noise after training is {to}, above the smooth threshold");
        Assert.Equal("Smooth", fell.Groups["verdict"].Value);
        // The stated factor is computed from the unrounded scores: it agrees with the rounded ones to a few percent.
        Assert.InRange(Number(fell, "factor"), 0.95 * from / to, 1.05 * from / to);
    }

    [Fact]
    public void Notebook01_TrainingMakesTheDeeperReluSparser()
    {
        var nb = run.Load(Filters);
        var relu2 = Match(nb, SparsityBeforeAfter("relu2"));
        double before = Number(relu2, "before"), after = Number(relu2, "after");
        Assert.True(after > before, $"{Filters}: relu2 should grow sparser over training, but went from {before} % to {after} %");

        // "A large part of each map is exactly zero", for the captured image: not "most", and not nothing.
        foreach (string layer in new[] { "relu1", "relu2" })
        {
            double zeros = Number(Match(nb, ZerosForImage(layer)), "zeros");
            Assert.InRange(zeros, 20, 100);
        }
    }

    [Fact]
    public void Notebook01_TrainsToAUsefulAccuracy()
    {
        double accuracy = Number(Match(run.Load(Filters), TestAccuracy()), "accuracy");
        Assert.True(accuracy > 75, $"{Filters}: test accuracy {accuracy} % is too low for the pictures to mean anything");
    }

    [Fact]
    public void Notebook02_MonitorShowsFilterNoiseFallingAndRelu2GrowingSparser()
    {
        var nb = run.Load(Health);
        var fell = Match(nb, MonitorNoiseFell());
        double from = Number(fell, "from"), to = Number(fell, "to");
        Assert.True(from > 0.9, $"{Health}: the initial conv1 filters should score about 1, not {from}");
        Assert.True(from / to >= SmoothingFactor, $"{Health}: conv1 filter noise fell only from {from} to {to}: '{fell.Value}'");
        Assert.True(to <= FilterNoiseSmoothThreshold, $"{Health}: conv1 filter noise after training is {to}, above the smooth threshold");

        var relu2 = Match(nb, MonitorSparsity("relu2"));
        double start = Number(relu2, "start"), lowest = Number(relu2, "lowest"), end = Number(relu2, "end");
        Assert.True(end > start, $"{Health}: relu2 should grow sparser over training, but went from {start} % to {end} %");
        Assert.True(lowest <= start && lowest <= end, $"{Health}: the lowest sparsity {lowest} % is not the lowest: '{relu2.Value}'");
    }

    [Fact]
    public void Notebook02_SensibleRunHasNoDeadChannelsAndTooHighLearningRateKillsSome()
    {
        var nb = run.Load(Health);
        var monitorEnd = Match(nb, MonitorDeadAtEnd());
        Assert.Equal("0", monitorEnd.Groups["relu1"].Value);
        Assert.Equal("0", monitorEnd.Groups["relu2"].Value);

        var dead = Match(nb, DeadOnTest());
        Assert.Equal(0, (int)Number(dead, "good"));
        Assert.True(Number(dead, "bad") > 0, $"{Health}: the lr 0.2 run should have dead channels: '{dead.Value}'");

        var accuracy = Match(nb, Accuracies());
        double good = Number(accuracy, "good"), bad = Number(accuracy, "bad");
        Assert.True(good > 75, $"{Health}: the sensible run reaches only {good} %");
        Assert.True(good - bad > 20, $"{Health}: the too-high learning rate should cost accuracy: {good} % vs {bad} %");
    }

    [Fact]
    public void Notebook02_FilterNoiseSectionShowsNoisyInitialAndSmoothTrainedFilters()
    {
        var noise = Match(run.Load(Health), NoiseAtInitAndTrained());
        Assert.Equal("Noisy", noise.Groups["initVerdict"].Value);
        Assert.Equal("Smooth", noise.Groups["trainedVerdict"].Value);
        Assert.True(Number(noise, "init") / Number(noise, "trained") >= SmoothingFactor, $"{Health}: '{noise.Value}'");
    }

    /// <summary>FilterNoiseReport.DefaultThreshold (the notebooks say "at most 0.6 counts as smooth").</summary>
    const double FilterNoiseSmoothThreshold = 0.6;

    /// <summary>The one shown line that matches, failing with the notebook's text lines when none or several do.</summary>
    static Match Match(ExecutedNotebook notebook, Regex pattern)
    {
        var lines = notebook.TextLines().ToList();
        var matches = lines.Select(l => pattern.Match(l.Line)).Where(m => m.Success).ToList();
        Assert.True(matches.Count == 1,
            $"{System.IO.Path.GetFileName(notebook.Path)}: expected one shown line matching /{pattern}/, found {matches.Count}. Lines shown:\n"
            + string.Join("\n", lines.Select(l => $"cell {l.Cell}: {l.Line}").Take(80)));
        return matches[0];
    }

    static double Number(Match match, string group) =>
        double.Parse(match.Groups[group].Value, NumberStyles.Float, CultureInfo.InvariantCulture);

    const string Num = @"[0-9]+(?:\.[0-9]+)?";

    [GeneratedRegex(@"^conv1 filter noise at initialisation: (?<init>" + Num + @") \((?<verdict>\w+)\)")]
    private static partial Regex InitialNoise();

    [GeneratedRegex(@"^conv1 filter noise fell from (?<from>" + Num + ") to (?<to>" + Num + @") \((?<factor>" + Num + @")x lower\): (?<verdict>\w+)")]
    private static partial Regex NoiseFell();

    static Regex SparsityBeforeAfter(string layer) => new(
        "^" + layer + @" sparsity on 256 test images: (?<before>" + Num + @") ?% at initialisation, (?<after>" + Num + @") ?% after training");

    static Regex ZerosForImage(string layer) => new(
        "^" + layer + @": (?<zeros>" + Num + @") % of the values are exactly zero for this image");

    [GeneratedRegex(@"^test accuracy: (?<accuracy>" + Num + ") %")]
    private static partial Regex TestAccuracy();

    [GeneratedRegex(@"^conv1 filter noise fell from (?<from>" + Num + ") to (?<to>" + Num + @") \(" + Num + @"x lower\)$")]
    private static partial Regex MonitorNoiseFell();

    static Regex MonitorSparsity(string layer) => new(
        "^" + layer + @" sparsity on the probe batch: (?<start>" + Num + @") ?% at step 0, lowest (?<lowest>" + Num + @") ?%, (?<end>" + Num + @") ?% at step \d+");

    [GeneratedRegex(@"^dead channels at the end \(lr 0\.02\): relu1 (?<relu1>\d+), relu2 (?<relu2>\d+)")]
    private static partial Regex MonitorDeadAtEnd();

    [GeneratedRegex(@"^dead channels of relu1 and relu2 over the \d+ test images: (?<good>\d+) with lr 0\.02, (?<bad>\d+) with lr 0\.2$")]
    private static partial Regex DeadOnTest();

    [GeneratedRegex(@"^accuracy with lr 0\.02: (?<good>" + Num + @") ?%; with lr 0\.2: (?<bad>" + Num + @") ?%")]
    private static partial Regex Accuracies();

    [GeneratedRegex(@"^conv1 filter noise: (?<init>" + Num + @") at initialisation \((?<initVerdict>\w+)\), (?<trained>" + Num + @") after training \((?<trainedVerdict>\w+)\)")]
    private static partial Regex NoiseAtInitAndTrained();
}
