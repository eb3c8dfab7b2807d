using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Fashion-MNIST (Zalando, MIT): 28×28 grey images of clothes in 10 classes, 60000 for training and
/// 10000 for testing. On Debian and Ubuntu: <c>sudo apt-get install dataset-fashion-mnist</c>, which
/// puts the four gzipped IDX files in <see cref="DefaultFolder"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, index = label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>True when the files of the split are in <paramref name="folder"/>.</summary>
    public static bool IsAvailable(string folder = DefaultFolder, bool train = true) =>
        File.Exists(Path.Combine(folder, FileName(train, images: true))) && File.Exists(Path.Combine(folder, FileName(train, images: false)));

    /// <summary>
    /// Loads a split as images [N, 1, 28, 28] in [0, 1] (float32) and labels [N] (int64).
    /// </summary>
    /// <param name="folder">The folder with the IDX files (gzipped or not).</param>
    /// <param name="train">The training split (60000) or the test split (10000).</param>
    /// <param name="limit">Load only the first images (null: all).</param>
    /// <exception cref="FileNotFoundException">The files are missing; the message says how to install them.</exception>
    public static LabeledImages Load(string folder = DefaultFolder, bool train = true, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string images = Find(folder, FileName(train, images: true));
        string labels = Find(folder, FileName(train, images: false));
        using var raw = Idx.Read(images, limit);
        using var rawLabels = Idx.Read(labels, limit);
        if (raw.dim() != 3 || raw.shape[1] != 28 || raw.shape[2] != 28)
            throw new InvalidDataException($"{images} should hold [N, 28, 28] images but holds [{string.Join(", ", raw.shape)}].");
        if (rawLabels.shape[0] != raw.shape[0])
            throw new InvalidDataException($"{images} has {raw.shape[0]} images but {labels} has {rawLabels.shape[0]} labels.");
        var x = raw.to(ScalarType.Float32).div_(255f).unsqueeze(1);
        var y = rawLabels.to(ScalarType.Int64);
        return new LabeledImages(x, y, ClassNames);
    }

    static string FileName(bool train, bool images) =>
        $"{(train ? "train" : "t10k")}-{(images ? "images-idx3" : "labels-idx1")}-ubyte.gz";

    static string Find(string folder, string gzName)
    {
        string gz = Path.Combine(folder, gzName);
        if (File.Exists(gz)) return gz;
        string plain = gz[..^3];
        if (File.Exists(plain)) return plain;
        throw new FileNotFoundException(
            $"Fashion-MNIST is not in {folder} (looked for {gzName}). On Debian/Ubuntu install it with " +
            "'sudo apt-get install dataset-fashion-mnist' (files go to " + DefaultFolder + "), or download the four IDX files from " +
            "github.com/zalandoresearch/fashion-mnist into a folder and pass it. SyntheticShapes.Create(n) needs no files.", gz);
    }
}
