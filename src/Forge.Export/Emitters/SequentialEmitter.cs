using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Forge.Export.Emitters;

/// <summary><c>nn.Sequential</c>: its children in order, each fed the previous output (children named 0, 1, 2, ...).</summary>
internal sealed class SequentialEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is Sequential;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        string x = inputs[0];
        foreach (var (name, child) in EmitContext.Children(module)) x = ctx.Emit(child, $"{path}.{name}", x);
        return x;
    }
}
