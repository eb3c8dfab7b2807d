using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace ConvVis.Benchmarks;

/// <summary>
/// Cost of capturing every leaf layer of a ResNet-18 forward pass ([1,3,224,224], eval, no_grad) relative to the
/// plain forward pass. Target (issue 3): ratio at most 1.10.
/// </summary>
/// <remarks>
/// In process (<see cref="InProcessConfig"/>): BenchmarkDotNet's generated out-of-process project does not get TorchSharp's native
/// libraries. <see cref="Threads"/> pins libtorch's intra-op threads: on a busy shared machine OpenMP threads that spin
/// against other processes make multi-threaded timings swing by 2x, so compare ratios within one thread count.
/// </remarks>
[Config(typeof(InProcessConfig))]
public class CaptureOverhead
{
    int _threadsBefore;

    /// <summary>libtorch intra-op threads for the run.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    CaptureResNet18 _model = null!;
    Tensor _input = null!;

    /// <summary>Builds the model and the input, and checks the parameter count of ResNet-18.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _threadsBefore = get_num_threads();
        set_num_threads(Threads);
        random.manual_seed(0);
        _model = new CaptureResNet18();
        _model.eval();
        _input = randn(1, 3, 224, 224);
        long parameters = _model.parameters().Sum(p => p.numel());
        if (parameters != 11_689_512) throw new InvalidOperationException($"Not a ResNet-18: {parameters:N0} parameters.");
    }

    /// <summary>The plain forward pass (no hooks).</summary>
    [Benchmark(Baseline = true)]
    public float PlainForward()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return _model.call(_input)[0, 0].item<float>();
    }

    /// <summary>Attach a recorder to every leaf layer, run the forward pass, read one capture, dispose (hooks removed, captures freed).</summary>
    [Benchmark]
    public float ForwardCapturingEveryLeaf()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var rec = ActivationRecorder.Attach(_model);
        float y = _model.call(_input)[0, 0].item<float>();
        if (rec.NotFired.Count != 0) throw new InvalidOperationException(rec.NotFiredExplanation);
        return y + rec["layer4.1.bn2"].shape[1];
    }

    /// <summary>Frees the model and input.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _model.Dispose();
        set_num_threads(_threadsBefore);
    }
}
