namespace ConvVis.Interactive.Formatting;
static class ModuleHtml { public static string Of(TorchSharp.torch.nn.Module module) => "TODO"; }
