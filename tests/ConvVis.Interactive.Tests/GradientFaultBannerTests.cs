using TorchSharp;

namespace ConvVis.Interactive.Tests;

/// <summary>On a machine whose libtorch gets conv input gradients wrong, the banner says so in one plain sentence.</summary>
[Collection("Kernel")]
public class GradientFaultBannerTests
{
    [Fact]
    public async Task TheBannerExplainsTheFaultOnAnAffectedMachineOnly()
    {
        using var healthy = await NotebookKernel.StartAsync();
        string plain = new CellResult(healthy.LoadEvents).AllHtml;
        Assert.Equal(ConvGradientFault.MachineIsAffected(), plain.Contains("DNNL_MAX_CPU_ISA=AVX"));

        // What the self-check finds on an affected CPU, for the geometries the banner checks.
        ConvGradientFault.Record(torch.nn.Conv2d(3, 4, 3, padding: 1), 0.95);
        try
        {
            using var affected = await NotebookKernel.StartAsync();
            string banner = new CellResult(affected.LoadEvents).AllHtml;
            Assert.Contains("This machine computes some conv gradients wrong.", banner);
            Assert.Contains("ConvVis recomputes those gradients in float64", banner);
            Assert.Contains("your own training of such layers is affected too", banner);
            Assert.Contains("DNNL_MAX_CPU_ISA=AVX", banner);
        }
        finally
        {
            ConvGradientFault.ForgetChecks();
        }
    }
}
