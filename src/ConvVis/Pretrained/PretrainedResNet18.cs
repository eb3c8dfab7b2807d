using ConvVis.Onnx.Proto;
using ConvVis.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// An ImageNet-trained ResNet-18 (without its classifier) as a TorchSharp module, from the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1 (MIT; a CNTK export to ONNX), with its
/// preprocessing.
/// </summary>
/// <remarks>
/// <code>
/// using var resnet = PretrainedResNet18.Load();                 // finds the files in the NuGet cache
/// using var img = ImageLoader.Load("cat.png");
/// using var x = resnet.Preprocess(img).unsqueeze(0);            // [1,3,224,224], BGR 0..255 minus mean
/// using var features = resnet.Model.call(x);                    // [1,512,1,1]
/// </code>
/// <para>Get the files once (no ML.NET needed) with, in any project file:
/// <c>&lt;PackageDownload Include="Microsoft.ML.DnnImageFeaturizer.ResNet18" Version="[0.23.1]" /&gt;</c>
/// and <c>dotnet restore</c>. In a notebook, <c>#r "nuget: Microsoft.ML.DnnImageFeaturizer.ResNet18, 0.23.1"</c>
/// also puts them in the cache, but it references ML.NET and ONNX Runtime too (the package's dependencies).</para>
/// <para>This CNTK ResNet-18 has blocks [2, 2, 2, 3] (one more block in stage 4 than torchvision's).
/// Layer names (torchvision-like): <c>conv1, bn1, relu, maxpool</c>; for stage S in 1..4 and block B
/// (0..1, and 0..2 in layer4): <c>layerS.B.conv1, layerS.B.bn1, layerS.B.relu1, layerS.B.conv2, layerS.B.bn2, layerS.B.relu2</c>
/// (relu2 follows the residual addition, so it is the block's output), <c>layerS.0.downsample.0/1</c> for
/// S ≥ 2; and <c>avgpool</c>. The scopes <c>layer1</c>..<c>layer4</c> are containers without a forward of
/// their own, so hook <see cref="StageOutputs"/> to get a stage's output.</para>
/// </remarks>
public sealed class PretrainedResNet18 : IDisposable
{
    /// <summary>The NuGet package holding the model.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version this class was tested with.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>The input image side the network expects.</summary>
    public const int ImageSize = 224;

    /// <summary>The module whose output is each stage's output: conv1 (after BN and ReLU), layer1..layer4, avgpool.</summary>
    public static IReadOnlyDictionary<string, string> StageOutputs { get; } = new Dictionary<string, string>
    {
        ["conv1"] = "relu",
        ["layer1"] = "layer1.1.relu2",
        ["layer2"] = "layer2.1.relu2",
        ["layer3"] = "layer3.1.relu2",
        ["layer4"] = "layer4.2.relu2",
        ["avgpool"] = "avgpool",
    };

    private PretrainedResNet18(OnnxModel model, ImageNormalization normalization, string modelPath)
    {
        Model = model;
        Normalization = normalization;
        ModelPath = modelPath;
    }

    /// <summary>The network: input <c>[N,3,224,224]</c> (see <see cref="Preprocess"/>), output the 512-d pooled features <c>[N,512,1,1]</c>.</summary>
    public OnnxModel Model { get; }

    /// <summary>BGR, 0..255, minus the mean image of <c>ResNetPreprocess.onnx</c>; <see cref="ImageNormalization.Denormalize"/> inverts it for display.</summary>
    public ImageNormalization Normalization { get; }

    /// <summary>The ResNet18.onnx file that was loaded.</summary>
    public string ModelPath { get; }

    /// <summary>Loads the model from <paramref name="path"/> or, when null, from the NuGet cache
    /// (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>).</summary>
    /// <param name="path">The package folder, its <c>tools/DnnImageModels</c> folder, or the ResNet18.onnx file; null to search the NuGet cache.</param>
    /// <returns>The model (evaluation mode) and its preprocessing.</returns>
    /// <exception cref="FileNotFoundException">The files are not there; the message says how to get them.</exception>
    public static PretrainedResNet18 Load(string? path = null)
    {
        var (modelFile, prepFile) = Locate(path);
        var model = OnnxModel.FromFile(modelFile, ResNetLayerNaming.Names);
        model.InputColorOrder = ColorOrder.Bgr; // CNTK's ResNet takes BGR (see Preprocess)
        try
        {
            using var mean = ReadMeanImage(prepFile);
            return new PretrainedResNet18(model, ImageNormalization.CntkResNet(mean), modelFile);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>RGB [0,1] image(s) <c>[3,H,W]</c> or <c>[N,3,H,W]</c> of any size to model input: the shorter side is
    /// resized to 224 (bilinear, antialiased), the centre 224x224 cropped, then normalised.</summary>
    /// <param name="rgb01">Image(s) as <see cref="ImageLoader"/> returns them.</param>
    /// <returns>A new tensor of the same rank.</returns>
    public Tensor Preprocess(Tensor rgb01)
    {
        using var scope = torch.NewDisposeScope();
        var x = rgb01.shape[^2] == ImageSize && rgb01.shape[^1] == ImageSize ? rgb01 : ImageLoader.ResizeAndCenterCrop(rgb01, ImageSize, ImageSize);
        return Normalization.Normalize(x).MoveToOuterDisposeScope();
    }

    /// <summary>The 512-d features <c>[N,512]</c> of preprocessed input <c>[N,3,224,224]</c>.</summary>
    /// <param name="input">Output of <see cref="Preprocess"/> with a batch dimension.</param>
    /// <returns>A new tensor.</returns>
    public Tensor Features(Tensor input)
    {
        using var pooled = Model.call(input);
        return pooled.flatten(1);
    }

    /// <summary>Where the NuGet cache is: <c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>.</summary>
    /// <returns>The folder path (it may not exist).</returns>
    public static string NuGetPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static (string Model, string Preprocess) Locate(string? path)
    {
        var candidates = new List<string>();
        if (path is not null)
        {
            if (File.Exists(path))
            {
                string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
                string prep = new[] { Path.Combine(dir, "ResNetPreprocess.onnx"), Path.Combine(dir, "..", "ResNetPrepOnnx", "ResNetPreprocess.onnx") }.FirstOrDefault(File.Exists)
                    ?? throw new FileNotFoundException($"Found '{path}' but not ResNetPreprocess.onnx (with the mean image) next to it or in ../ResNetPrepOnnx/.");
                return (path, prep);
            }
            candidates.Add(path);
            candidates.Add(Path.Combine(path, "tools", "DnnImageModels"));
        }
        else
            candidates.Add(Path.Combine(NuGetPackagesFolder(), PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels"));

        foreach (var dir in candidates)
        {
            string model = Path.Combine(dir, "ResNet18Onnx", "ResNet18.onnx");
            string prep = Path.Combine(dir, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
            if (File.Exists(model) && File.Exists(prep)) return (model, prep);
        }
        throw new FileNotFoundException(
            $"The pretrained ResNet-18 was not found (looked in {string.Join(", ", candidates.Select(c => "'" + c + "'"))}). " +
            $"Get it from NuGet ({PackageId} {PackageVersion}, MIT, 63 MB) without ML.NET by adding " +
            $"<PackageDownload Include=\"{PackageId}\" Version=\"[{PackageVersion}]\" /> to an ItemGroup of any project and running 'dotnet restore'; " +
            $"in a notebook, #r \"nuget: {PackageId}, {PackageVersion}\" also downloads it (together with ML.NET, its dependency). " +
            "Then call PretrainedResNet18.Load() again, or pass the folder or the ResNet18.onnx path.");
    }

    /// <summary>Reads the MeanImage initializer ([1,3,224,224], BGR, 0..255) of ResNetPreprocess.onnx.</summary>
    private static Tensor ReadMeanImage(string prepFile)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parse(new ProtoReader(File.ReadAllBytes(prepFile)));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{prepFile}' is not a valid ONNX model: {e.Message}.", e);
        }
        var mean = proto.Graph.Initializers.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new InvalidDataException($"'{prepFile}' has no MeanImage initializer.");
        return Onnx.OnnxTensors.ToTensor(mean, $"MeanImage of '{prepFile}'");
    }

    /// <summary>Frees the model and the mean image.</summary>
    public void Dispose()
    {
        Model.Dispose();
        Normalization.Dispose();
    }
}
