using ConvVis.Capture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Health;

/// <summary>Which layers the health tools look at when the user names none.</summary>
internal static class HealthLayers
{
    /// <summary>What to do about a model that contains itself, for the message that refuses to scan it.</summary>
    public const string CycleAdvice = "Remove that registration to scan it.";

    /// <summary>
    /// Every ReLU-like activation module (their outputs are where sparsity and dead channels show);
    /// if the model applies its activations functionally (no such modules), every Conv2d instead.
    /// </summary>
    public static string[] Default(nn.Module model)
    {
        var all = ModelLayers.All(model);
        var acts = all.Where(p => p.Module is ReLU or LeakyReLU or ReLU6 or GELU or ELU or SiLU).Select(p => p.Name).ToArray();
        if (acts.Length > 0) return acts;
        return all.Where(p => p.Module is Conv2d).Select(p => p.Name).ToArray();
    }
}
