using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// Writes the ONNX nodes of one module type. An emitter reads the module's weights and settings (never its forward code) and
/// returns the name of the value its output is; modules made of modules hand their children back to the context.
/// </summary>
internal interface IModuleEmitter
{
    /// <summary>True when this emitter handles <paramref name="module"/>'s type.</summary>
    bool CanEmit(nn.Module module);

    /// <param name="path">The module's state-dict path (e.g. <c>model.2.m.0</c>): initializer and node names derive from it.</param>
    /// <param name="inputs">Names of the input values (one for most modules; the level features for a detection head).</param>
    string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs);
}
