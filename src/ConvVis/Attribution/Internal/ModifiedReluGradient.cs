using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ConvVis.Attributions.Internal;

/// <summary>The input gradient with every ReLU module's backward replaced (guided backprop, DeconvNet), with the warnings that go with it.</summary>
internal sealed class ModifiedReluGradient(ReluBackwardRule rule)
{
    // Structural checks cost a few reductions per layer: do them on the first call per model only.
    private readonly HashSet<nn.Module> _checked = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<nn.Module, List<string>> _structuralWarnings = new(ReferenceEqualityComparer.Instance);

    public Tensor Compute(nn.Module<Tensor, Tensor> model, Tensor x, AttributionTarget target, AttributionContext context)
    {
        bool detect;
        lock (_checked) detect = _checked.Add(model);
        Tensor grad, scores;
        using (var relus = ReluOverride.Install(model, rule, detect))
        {
            relus.MarkInput(x);
            (grad, scores) = Objective.InputGradient(model, x, target);
            if (detect)
                lock (_checked) _structuralWarnings[model] = Check(relus);
            var notFired = relus.NotFired.ToList();
            if (notFired.Count > 0)
                context.Warn($"ReLU module(s) {string.Join(", ", notFired.Select(n => $"'{n}'"))} did not run through call() in the forward pass, so their gradient was not changed (a module run with forward() fires no hooks).");
        }
        lock (_checked)
            if (_structuralWarnings.TryGetValue(model, out var warnings)) context.WarnAll(warnings);
        context.TargetScores = Objective.ToArray(scores);
        return grad;
    }

    private static List<string> Check(ReluOverride relus)
    {
        var warnings = new List<string>();
        if (relus.FiredCount == 0)
            warnings.Add("No ReLU module ran in the forward pass (the model has none, or runs them with forward()), so no backward pass was changed and this map is the plain input gradient. If the model applies ReLU as a function (functional.relu, relu_()), use ReLU modules (nn.ReLU) for guided backprop / DeconvNet.");
        else if (relus.FunctionalReluSuspects.Count > 0)
            warnings.Add($"The model seems to apply ReLU as a function too (functional.relu / relu_(), as TorchVision's ResNet blocks do): the input of {string.Join(", ", relus.FunctionalReluSuspects.Select(n => $"'{n}'"))} is non-negative with exact zeros but does not come from a ReLU module. Those ReLUs keep their ordinary gradient, so the map is only partly guided.");
        return warnings;
    }
}
