namespace ConvVis.Tests.Onnx;

/// <summary>Real files the ONNX and imaging tests use.</summary>
internal static class TestFiles
{
    public static string SkimageData => "/usr/lib/python3/dist-packages/skimage/data";

    /// <summary>scikit-image's CC0 photos (Debian package python3-skimage).</summary>
    public static string Chelsea => Path.Combine(SkimageData, "chelsea.png");

    public static string Coffee => Path.Combine(SkimageData, "coffee.png");

    public static bool PhotosPresent => File.Exists(Chelsea) && File.Exists(Coffee);

    public const string PhotosMissing = "scikit-image's CC0 photos chelsea.png/coffee.png are missing: install them with 'sudo apt-get install python3-skimage' (Debian/Ubuntu).";

    public static string ResNetFolder => Path.Combine(PretrainedResNet18.NuGetPackagesFolder(), "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels");

    public static string ResNet18Onnx => Path.Combine(ResNetFolder, "ResNet18Onnx", "ResNet18.onnx");

    public static string ResNetPreprocessOnnx => Path.Combine(ResNetFolder, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
}

/// <summary>A fact that is skipped (saying how to install them) when the scikit-image photos are missing.</summary>
public sealed class PhotoFactAttribute : FactAttribute
{
    public PhotoFactAttribute()
    {
        if (!TestFiles.PhotosPresent) Skip = TestFiles.PhotosMissing;
    }
}
