using System.Globalization;
using ConvVis.Synthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis;

/// <summary>
/// Adversarial examples: a small change of the input that changes the prediction (Szegedy et al. 2014).
/// <list type="bullet">
/// <item><see cref="Fgsm"/>: the fast gradient sign method (Goodfellow et al. 2015), one step of ε · sign(∇ loss).</item>
/// <item><see cref="Pgd"/>: iterated signed steps projected back into the L∞ ball of radius ε (BIM, Kurakin et al. 2017;
/// PGD with a random start, Madry et al. 2018), untargeted or targeted.</item>
/// <item><see cref="Fooling"/>: the CS231n fooling image, steps of fixed length along the normalised gradient of the
/// target score until the target class wins.</item>
/// </list>
/// Budgets and norms are in picture units (values in [0, 1], through <see cref="Space"/>), so ε = 8/255 means eight
/// grey levels. Classes are <see cref="AttributionTarget"/> class targets (one for all, or one per image). The model
/// is left as it was; during the attack it is in eval mode with the conv-gradient correction installed.
/// </summary>
public sealed class Adversarial
{
    /// <summary>Creates attacks on <paramref name="model"/> (a classifier: output [N, classes]).</summary>
    public Adversarial(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The attacked classifier.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>How pictures map to the model's input (default: the model takes pictures in [0, 1]).</summary>
    public ImageSpace Space { get; init; } = ImageSpace.Unit;

    /// <summary>Class names for captions (optional).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>FGSM: x' = clamp(x + ε · sign(∇ₓ cross-entropy(x, class)), 0, 1), untargeted.</summary>
    /// <param name="input">Model inputs [N, C, H, W] (or one image [C, H, W]); not modified.</param>
    /// <param name="trueClasses">The class each image should lose (usually its label).</param>
    /// <param name="epsilon">The L∞ budget in picture units (e.g. 0.1).</param>
    public AdversarialResult Fgsm(Tensor input, AttributionTarget trueClasses, double epsilon)
    {
        CheckBudget(epsilon, nameof(epsilon));
        return Attack(input, trueClasses, targeted: false, string.Create(CultureInfo.InvariantCulture, $"FGSM ε = {epsilon:0.####}"), null, default,
            (picture0, classes, _) =>
            {
                var g = LossGradient(picture0, classes);
                return ((picture0 + g.sign() * epsilon).clamp(0, 1), Enumerable.Repeat(1, (int)picture0.shape[0]).ToArray());
            });
    }

    /// <summary>
    /// Iterative attack in the L∞ ball: <paramref name="options"/>.Steps signed steps of <c>StepSize</c>, each followed by
    /// projection onto |x' − x| ≤ ε and [0, 1]. Untargeted (raise the loss of <paramref name="classes"/>) or targeted
    /// (lower the loss of the target <paramref name="classes"/>); with <c>RandomStart</c> it is Madry et al.'s PGD, without
    /// it the basic iterative method.
    /// </summary>
    public AdversarialResult Pgd(Tensor input, AttributionTarget classes, PgdOptions options,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{(options.RandomStart ? "PGD" : "BIM")} {(options.Targeted ? "targeted" : "untargeted")} ε = {options.Epsilon:0.####}, step {options.StepSize:0.####} × {options.Steps}");
        return Attack(input, classes, options.Targeted, name, progress, cancellationToken, (picture0, target, token) =>
        {
            long n = picture0.shape[0];
            var p = picture0.clone();
            if (options.RandomStart)
            {
                var generator = new Generator((ulong)options.Seed);
                p = (p + (rand(p.shape, generator: generator) * 2 - 1) * options.Epsilon).clamp(0, 1);
            }
            double sign = options.Targeted ? -1 : 1;
            var steps = new int[n];
            for (int step = 0; step < options.Steps; step++)
            {
                token.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var g = LossGradient(p, target);
                var next = p + g.sign() * (sign * options.StepSize);
                next = torch.minimum(torch.maximum(next, picture0 - options.Epsilon), picture0 + options.Epsilon).clamp(0, 1);
                p.copy_(next);
                for (int i = 0; i < n; i++) steps[i]++;
                progress?.Report(new WorkProgress(name, step + 1, options.Steps, "steps"));
            }
            return (p, steps);
        });
    }

    /// <summary>
    /// The CS231n fooling image: repeat x ← x + rate · g / ‖g‖₂, g the gradient of the target class score in model-input
    /// units, until the target class is the top prediction (each image stops on its own) or <paramref name="maxSteps"/> pass.
    /// The image is not clamped (as in the assignment); <see cref="AdversarialResult.LinfNorms"/> says how far it moved.
    /// </summary>
    /// <param name="input">Model inputs [N, C, H, W] (or one image [C, H, W]); not modified.</param>
    /// <param name="targetClasses">The class each image should be taken for.</param>
    /// <param name="learningRate">The step length in model-input units (the assignment: 1).</param>
    /// <param name="maxSteps">The step budget (the assignment: 100).</param>
    /// <param name="progress">Steps done / budget.</param>
    /// <param name="cancellationToken">Stops between steps with <see cref="OperationCanceledException"/>; the model is restored.</param>
    public AdversarialResult Fooling(Tensor input, AttributionTarget targetClasses, double learningRate = 1, int maxSteps = 100,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckBudget(learningRate, nameof(learningRate));
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must be at least 1.");
        string name = string.Create(CultureInfo.InvariantCulture, $"fooling image (rate {learningRate:0.###}, at most {maxSteps} steps)");
        return Attack(input, targetClasses, targeted: true, name, progress, cancellationToken, (picture0, target, token) =>
        {
            long n = picture0.shape[0];
            var x = Space.ToModel(picture0).detach().clone();
            var steps = new int[n];
            for (int step = 0; step < maxSteps; step++)
            {
                token.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var xi = x.detach().requires_grad_(true);
                var logits = Logits(xi);
                var won = logits.argmax(1).eq(target);
                var todo = won.logical_not();
                if (!todo.any().item<bool>()) break;
                var score = logits.gather(1, target.unsqueeze(1)).sum();
                var g = torch.autograd.grad([score], [xi])[0];
                using (no_grad())
                {
                    var mask = todo.to(x.dtype).reshape([n, .. Enumerable.Repeat(1L, (int)x.dim() - 1)]);
                    x.add_(g * (learningRate / ActivationMaximization.PerImageNorm(g)) * mask);
                }
                var todoFlags = todo.data<bool>().ToArray();
                for (int i = 0; i < n; i++) if (todoFlags[i]) steps[i]++;
                progress?.Report(new WorkProgress(name, step + 1, maxSteps, "steps"));
            }
            return (Space.ToPicture(x), steps);
        }, clampAfter: false);
    }

    private delegate (Tensor Picture, int[] Steps) AttackLoop(Tensor picture0, Tensor classes, CancellationToken token);

    private AdversarialResult Attack(Tensor input, AttributionTarget classes, bool targeted, string name,
        IProgress<WorkProgress>? progress, CancellationToken token, AttackLoop loop, bool clampAfter = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(classes);
        if (input.dim() is not (3 or 4))
            throw new ArgumentException($"Expected model input [N, C, H, W] (or one image [C, H, W]); got [{string.Join(", ", input.shape)}].", nameof(input));
        if (!input.is_floating_point())
            throw new ArgumentException($"Expected a floating-point input; got {input.dtype}. Convert it with input.to(torch.float32).", nameof(input));
        if (classes.IsUnit)
            throw new ArgumentException($"Adversarial attacks aim at classes, not units ({classes}); give AttributionTarget.Class(c) or Classes(...) and a model whose output is [N, classes].", nameof(classes));
        token.ThrowIfCancellationRequested();

        using var scope = NewDisposeScope();
        var x0 = (input.dim() == 3 ? input.unsqueeze(0) : input).detach();
        int n = (int)x0.shape[0];
        classes.Validate(n);
        var classIndex = Enumerable.Range(0, n).Select(classes.ClassOf).ToArray();
        var target = tensor(classIndex.Select(c => (long)c).ToArray(), device: x0.device);
        using var guard = new SynthesisGuard(Model);

        Tensor before, picture0;
        using (no_grad())
        {
            before = nn.functional.softmax(Logits(x0), 1);
            CheckClasses(classIndex, before.shape[1]);
            picture0 = Space.ToPicture(x0).detach();
        }
        var (picture, steps) = loop(picture0, target, token);
        Tensor adversarial, after;
        using (no_grad())
        {
            picture = picture.detach();
            adversarial = Space.ToModel(picture);
            after = nn.functional.softmax(Logits(adversarial), 1);
        }
        var diff = (picture - picture0).reshape(n, -1);
        double[] D(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();
        int[] I(Tensor t) => t.cpu().data<long>().Select(v => (int)v).ToArray();
        var (confBefore, predBefore) = before.max(1);
        var (confAfter, predAfter) = after.max(1);
        return new AdversarialResult(name, x0.clone().MoveToOuterDisposeScope(), adversarial.MoveToOuterDisposeScope(),
            picture0.clone().MoveToOuterDisposeScope(), picture.MoveToOuterDisposeScope())
        {
            Classes = classIndex,
            Targeted = targeted,
            PredictedBefore = I(predBefore),
            ConfidenceBefore = D(confBefore),
            PredictedAfter = I(predAfter),
            ConfidenceAfter = D(confAfter),
            ClassProbabilityBefore = D(before.gather(1, target.unsqueeze(1)).squeeze(1)),
            ClassProbabilityAfter = D(after.gather(1, target.unsqueeze(1)).squeeze(1)),
            LinfNorms = D(diff.abs().amax([1L])),
            L2Norms = D(diff.norm(1)),
            StepsTaken = steps,
            ClassNames = ClassNames,
            Warnings = guard.Warnings.ToArray(),
        };
    }

    // Logits [N, classes] of model input x, with a clear message when the model is not a classifier.
    private Tensor Logits(Tensor x)
    {
        var y = Model.call(x);
        if (y.dim() < 2 || y.shape[0] != x.shape[0] || y.shape.Skip(2).Any(s => s != 1))
            throw new InvalidOperationException($"The model output has shape [{string.Join(", ", y.shape)}]; adversarial attacks need a classifier with output [N, classes].");
        return y.reshape(x.shape[0], -1);
    }

    // ∇ of the summed cross-entropy of the classes, with respect to the picture.
    private Tensor LossGradient(Tensor picture, Tensor classes)
    {
        using var scope = NewDisposeScope();
        var p = picture.detach().requires_grad_(true);
        var loss = nn.functional.cross_entropy(Logits(Space.ToModel(p)), classes, reduction: nn.Reduction.Sum);
        return torch.autograd.grad([loss], [p])[0].MoveToOuterDisposeScope();
    }

    private static void CheckClasses(int[] classes, long count)
    {
        int bad = Array.FindIndex(classes, c => c >= count);
        if (bad >= 0) throw new ArgumentException($"Class index {classes[bad]} (image {bad}) is out of range: the model has {count} outputs (0..{count - 1}).");
    }

    private static void CheckBudget(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
    }
}
