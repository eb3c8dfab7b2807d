using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using static TorchSharp.torch;

namespace ConvVis.Interactive.Magics;

/// <summary>
/// <c>#!capture --model net [--layers ...] [--into acts] [--max-channels N] [--no-show] [--shared-scale]</c>: the rest of the cell
/// runs with forward hooks on the layers; afterwards the activations are shown (one collapsible mosaic per layer)
/// and stored in a variable as <see cref="CapturedActivations"/>. The hooks are removed even when the cell fails.
/// </summary>
internal sealed class CaptureMagic : ModelMagic
{
    const string DefaultVariable = "activations";

    /// <summary>
    /// The capture each kernel has running: a directive runs before the cell's code, which then arrives as its own
    /// SubmitCode (the submission is split), so the capture is finished by middleware once that code has run.
    /// </summary>
    static readonly ConditionalWeakTable<CSharpKernel, StrongBox<Pending?>> Running = new();

    /// <summary>Comma-separated layer names, globs or type names; every leaf layer when empty.</summary>
    public string? Layers { get; set; }
    /// <summary>The variable that receives the captured activations (default <c>activations</c>).</summary>
    public string? Into { get; set; }
    /// <summary>The most channels each mosaic shows.</summary>
    [NumberOption("--max-channels")]
    public int? MaxChannels { get; set; }
    /// <summary>Store the activations without showing them.</summary>
    public bool NoShow { get; set; }
    /// <summary>One colour scale per layer instead of per channel.</summary>
    public bool SharedScale { get; set; }

    internal override string DirectiveName => Name;
    internal override string Description => "Run the rest of the cell with the model's layers captured; show and store the activations";
    internal override string Example => "#!capture --model net --layers conv1,relu1 --into acts";
    const string Name = "#!capture";

    internal override IEnumerable<KernelDirectiveParameter> Options() =>
    [
        .. base.Options(),
        new("--layers", "Comma-separated layer names, globs (layer*.relu) or types (Conv2d); (default: every leaf layer)"),
        new("--into", $"The variable that receives the activations (default: {DefaultVariable})"),
        new("--max-channels", "The most channels each mosaic shows (default: 64)"),
        new("--no-show", "Store the activations without showing them (default: show them)") { Flag = true },
        new("--shared-scale", "One colour scale per layer, with numbers on the colour bar, so weak maps look weak (default: each channel its own range)") { Flag = true },
    ];

    internal override string? Run(CSharpKernel kernel, KernelInvocationContext context)
    {
        var model = GetModel<nn.Module>(kernel);
        string into = string.IsNullOrWhiteSpace(Into) ? DefaultVariable : Into.Trim();
        if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(into))
            throw new ArgumentException($"{Name}: --into '{into}' is not a valid C# variable name.");
        KernelVariables.CheckCanStore<CapturedActivations>(kernel, into, "--into", Name);
        if (Parent is SubmitCode cell && !HasCodeBesidesDirectives(cell.Code))
            throw new ArgumentException($"{Name} captures while the rest of its cell runs, and this cell has no code. Put the forward pass below it in the same cell, e.g.\n{Name} --model {Model}\n{Model}.call(x);");
        if (MaxChannels is <= 0)
            throw new ArgumentException($"{Name}: --max-channels must be a positive number of channels, not {MaxChannels}.");
        var pending = Running.GetOrCreateValue(kernel);
        pending.Value?.Recorder.Dispose();
        pending.Value = new Pending(model, ActivationRecorder.Attach(model, List(Layers)), into, MaxChannels ?? 64, NoShow, SharedScale);
        return null;
    }

    internal override void AddedTo(CSharpKernel kernel)
    {
        var pending = Running.GetOrCreateValue(kernel);
        kernel.AddMiddleware(async (command, context, next) =>
        {
            try
            {
                await next(command, context);
            }
            finally
            {
                if (command is SubmitCode && pending.Value is { } finished)
                {
                    pending.Value = null;
                    await FinishAsync(kernel, context, finished);
                }
            }
        });
    }

    static async Task FinishAsync(CSharpKernel kernel, KernelInvocationContext context, Pending capture)
    {
        CapturedActivations captured;
        using (capture.Recorder)
        {
            Formatting.ModuleHtml.Remember(capture.Model, capture.Recorder);
            captured = new CapturedActivations(capture.Recorder)
            {
                MaxChannels = capture.MaxChannels,
                Normalization = capture.SharedScale ? Normalization.Shared : Normalization.PerChannel,
            };
        }

        try
        {
            // The cell itself may have declared a variable of that name since the directive checked.
            KernelVariables.CheckCanStore<CapturedActivations>(kernel, capture.Into, "--into", Name);
        }
        catch (ArgumentException e)
        {
            captured.Dispose();
            context.Display(new HtmlString(Formatting.SafeHtml.Note(e.Message + " The activations were not stored.")), "text/html");
            return;
        }
        if (kernel.TryGetValue<object>(capture.Into, out var previous) && previous is CapturedActivations old)
            old.Dispose(); // re-running a capture cell must not leak the last run's tensors
        await kernel.SetValueAsync(capture.Into, captured, typeof(CapturedActivations));

        if (!capture.NoShow)
            context.Display(new HtmlString(Formatting.SafeHtml.Render(captured.ToHtml)), "text/html");
        else if (captured.NotFiredExplanation is { } why)
            context.Display(new HtmlString(Formatting.SafeHtml.Note(why)), "text/html");
    }

    static bool HasCodeBesidesDirectives(string code) =>
        code.Split('\n').Any(line => line.Trim() is { Length: > 0 } t && !t.StartsWith('#'));

    sealed record Pending(nn.Module Model, ActivationRecorder Recorder, string Into, int MaxChannels, bool NoShow, bool SharedScale);
}
