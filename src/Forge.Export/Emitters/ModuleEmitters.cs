using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>The emitters by module type; the first that handles a module wins.</summary>
internal sealed class ModuleEmitters(IReadOnlyList<IModuleEmitter> emitters)
{
    /// <summary>Every module type a Forge detector is built from (YOLOv8 and YOLO11 yamls).</summary>
    public static ModuleEmitters Default { get; } = new([
        new ConvBnActEmitter(),
        new Conv2dEmitter(),
        new SequentialEmitter(),
        new BottleneckEmitter(),
        new C2fEmitter(),
        new C3Emitter(),
        new SppfEmitter(),
        new C2PsaEmitter(),
        new PsaBlockEmitter(),
        new AttentionEmitter(),
        new UpsampleEmitter(),
        new ConcatEmitter(),
        new DetectEmitter(),
    ]);

    /// <exception cref="NotSupportedException">No emitter for the module's type.</exception>
    public IModuleEmitter For(nn.Module module, string path) =>
        emitters.FirstOrDefault(e => e.CanEmit(module))
        ?? throw new NotSupportedException($"ONNX export: no emitter for {module.GetType().Name} at {path}; " +
                                           $"supported: {string.Join(", ", emitters.Select(e => e.GetType().Name.Replace("Emitter", "")))}");
}
