using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace ConvVis.Package.Tests;

/// <summary>
/// A real C# kernel in a composite kernel, wired the way the dotnet-interactive tool wires it for Jupyter:
/// #r "nuget:..." and #i restore packages (Microsoft.DotNet.Interactive.PackageManagement) and add their
/// assemblies, and after a command every newly added package's interactive-extensions/dotnet folder is
/// loaded: its IKernelExtension types get OnLoadAsync, and its extension.dib runs. (The tool's own versions
/// of these two steps live in its app assembly, which is no library package, so they are restated here.)
/// </summary>
internal static class NuGetKernel
{
    public static CompositeKernel Create()
    {
        var csharp = new CSharpKernel().UseNugetDirective((kernel, references) =>
        {
            kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
            return Task.CompletedTask;
        });
        var root = new CompositeKernel { csharp };
        root.DefaultKernelName = csharp.Name;
        LoadExtensionsOfAddedPackages(root);
        return root;
    }

    private static void LoadExtensionsOfAddedPackages(CompositeKernel root)
    {
        var added = new ConcurrentQueue<PackageAdded>();
        var seenRoots = new ConcurrentDictionary<string, bool>();
        root.RegisterForDisposal(root.KernelEvents.Subscribe(new Observer(e =>
        {
            if (e is PackageAdded { PackageReference.PackageRoot: { } packageRoot } p && seenRoots.TryAdd(packageRoot, true))
                added.Enqueue(p);
        })));
        root.AddMiddleware(async (command, context, next) =>
        {
            await next(command, context);
            while (added.TryDequeue(out var package))
            {
                var folder = new DirectoryInfo(Path.Combine(package.PackageReference.PackageRoot, "interactive-extensions", "dotnet"));
                if (folder.Exists) await LoadFolderAsync(root, folder, context);
            }
        });
    }

    private static async Task LoadFolderAsync(Kernel root, DirectoryInfo folder, KernelInvocationContext context)
    {
        foreach (var dll in folder.GetFiles("*.dll"))
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll.FullName);
            foreach (var type in assembly.ExportedTypes.Where(t => !t.IsAbstract && !t.IsInterface && typeof(IKernelExtension).IsAssignableFrom(t)))
            {
                var extension = (IKernelExtension)Activator.CreateInstance(type)!;
                try
                {
                    await extension.OnLoadAsync(root);
                    context.Publish(new KernelExtensionLoaded(extension, context.Command));
                }
                catch (Exception e)
                {
                    context.Fail(context.Command, e, $"Failed to load kernel extension {type.FullName} from {dll.FullName}: {e}");
                }
            }
        }
        var script = new FileInfo(Path.Combine(folder.FullName, "extension.dib"));
        if (script.Exists)
            await root.LoadAndRunInteractiveDocument(script, context.Command);
    }

    private sealed class Observer(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnNext(KernelEvent value) => onNext(value);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}
