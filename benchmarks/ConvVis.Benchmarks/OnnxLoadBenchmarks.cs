using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ConvVis;
using ConvVis.Onnx.Proto;
using ConvVis.Tests.Onnx;

namespace ConvVis.Benchmarks;

/// <summary>
/// Load throughput of <see cref="OnnxModel.Load(string)"/> for a 50 MB and a 500 MB model (a VGG-like classifier
/// head of Gemm layers, the shape of the big files: a few huge weight tensors), from the page cache. Compare with
/// Debian PyTorch's <c>torch.load</c> of the same weights (target: at most 1.5x). Run with
/// <c>OMP_NUM_THREADS=1 dotnet run -c Release --project benchmarks/ConvVis.Benchmarks -- --filter *OnnxLoad* --inProcess</c>.
/// </summary>
[MemoryDiagnoser(false)]
public class OnnxLoadBenchmarks
{
    private string _path = "";

    /// <summary>Approximate file size in MB.</summary>
    [Params(50, 500)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"convvis-load-{Megabytes}.onnx");
        // Gemm layers of 4096 x (Megabytes * 1e6 / 4 / 4096 / 3) floats, three in a row.
        long inputs = 1024, outputs = Megabytes * 1_000_000L / 4 / 3 / inputs;
        var model = new ModelProto { IrVersion = 7, ProducerName = "ConvVis.Benchmarks" };
        model.OpsetImport.Add(("", 13));
        var g = model.Graph;
        g.Inputs.Add(new ValueInfoProto { Name = "x", ElemType = OnnxDataType.Float, Shape = new List<DimProto> { new(null, "N"), new(inputs, null) } });
        var random = new Random(1);
        string previous = "x";
        for (int layer = 0; layer < 3; layer++)
        {
            long rows = layer % 2 == 0 ? outputs : inputs, cols = layer % 2 == 0 ? inputs : outputs;
            var values = new float[rows * cols];
            for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() - 0.5f;
            g.Initializers.Add(new TensorProto { Name = $"w{layer}", DataType = OnnxDataType.Float, Dims = { rows, cols }, HasRawData = true, RawData = MemoryMarshal.AsBytes(values.AsSpan()).ToArray() });
            g.Nodes.Add(new NodeProto { Name = $"/fc{layer}/Gemm", OpType = "Gemm", Inputs = { previous, $"w{layer}" }, Outputs = { $"y{layer}" }, Attributes = { new AttributeProto { Name = "transB", Type = OnnxAttributeType.Int, I = 1 } } });
            previous = $"y{layer}";
        }
        g.Outputs.Add(new ValueInfoProto { Name = previous, ElemType = OnnxDataType.Float });
        var w = new ProtoWriter();
        model.Write(w);
        File.WriteAllBytes(_path, w.ToArray());
        Console.WriteLine($"// {_path}: {new FileInfo(_path).Length / 1e6:F0} MB");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark]
    public void Load()
    {
        using var model = OnnxModel.Load(_path);
    }
}
