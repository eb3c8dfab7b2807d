using System.Text.RegularExpressions;

namespace ConvVis.Notebooks.Tests;

/// <summary>Notebook 05's claims: a useful accuracy, the receptive fields its text states, layer4 seeing whole crops.</summary>
public sealed partial class NotebookClaimsTests
{
    const string UnitsSee = "05-what-units-see";

    [Fact]
    public void Notebook05_TrainsToAUsefulAccuracy()
    {
        double accuracy = Number(Match(run.Load(UnitsSee), UnitsSeeAccuracy()), "accuracy");
        Assert.True(accuracy > 75, $"{UnitsSee}: test accuracy {accuracy} % is too low for the top images to mean anything");
    }

    [Fact]
    public void Notebook05_FirstLayerUnitsSee5x5PixelsAndTheSecondMore()
    {
        var nb = run.Load(UnitsSee);
        // conv1 5x5 padding 2; pool 2; conv2 5x5 padding 2 at jump 2: 5 + 1 + 4·2 = 14, offset −2 − 2·2 = −6.
        Match(nb, new Regex(@"^relu1: size 5x5, jump 1x1, offset -2,-2$"));
        Match(nb, new Regex(@"^relu2: size 14x14, jump 2x2, offset -6,-6$"));
    }

    [Fact]
    public void Notebook05_ResNetFieldsGrowAndLayer4SeesMoreThanTheInput()
    {
        var nb = run.Load(UnitsSee);
        double Size(string layer) => Number(Match(nb, new Regex(@"^net\." + Regex.Escape(layer) + @": size (?<size>\d+)x\d+, jump")), "size");
        double l2 = Size("layer2.1.relu2"), l3 = Size("layer3.1.relu2"), l4 = Size("layer4.2.relu2");
        Assert.True(l2 < l3 && l3 < l4, $"{UnitsSee}: fields {l2}, {l3}, {l4} should grow with depth");
        Assert.True(l4 > 224, $"{UnitsSee}: the text says layer4's field is larger than the 224-pixel input, but it is {l4}");
    }

    [GeneratedRegex(@"test accuracy after 200 steps (?<accuracy>" + Num + ") %")]
    private static partial Regex UnitsSeeAccuracy();
}
