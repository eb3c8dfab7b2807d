using Microsoft.Playwright;

namespace ConvVis.Notebooks.Tests;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright, with the network off: every request that is not
/// for a file: or data: URL is aborted and recorded. Playwright never downloads a browser of its own
/// here (ExecutablePath is set and nothing calls its installer).
/// </summary>
public sealed class OfflineBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly string _userDataDir;
    private readonly List<string> _blocked = [];

    private OfflineBrowser(IPlaywright playwright, IBrowserContext context, string userDataDir)
    {
        _playwright = playwright;
        Context = context;
        _userDataDir = userDataDir;
    }

    public IBrowserContext Context { get; }

    /// <summary>Requests that were aborted because they would have gone to the network.</summary>
    public IReadOnlyList<string> BlockedRequests { get { lock (_blocked) return [.. _blocked]; } }

    public static async Task<OfflineBrowser> LaunchAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run scripts/setup.sh (it installs Debian's chromium).");
        var playwright = await Playwright.CreateAsync();
        string userDataDir = Directory.CreateTempSubdirectory("convvis-chromium-").FullName;
        var context = await playwright.Chromium.LaunchPersistentContextAsync(userDataDir, new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
            ViewportSize = new() { Width = 1280, Height = 900 },
        });
        var browser = new OfflineBrowser(playwright, context, userDataDir);
        await context.RouteAsync("**/*", async route =>
        {
            string url = route.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
                return;
            }
            lock (browser._blocked) browser._blocked.Add(url);
            await route.AbortAsync("internetdisconnected");
        });
        return browser;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try { Directory.Delete(_userDataDir, recursive: true); } catch (IOException) { }
    }
}
