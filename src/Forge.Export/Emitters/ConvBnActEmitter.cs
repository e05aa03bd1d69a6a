using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Forge.Export.Emitters;

/// <summary>Ultralytics' <c>Conv</c> (<see cref="ConvBnAct"/>): one fused Conv node, then SiLU as Sigmoid and Mul (as PyTorch exports it).</summary>
internal sealed class ConvBnActEmitter : IModuleEmitter
{
    public bool CanEmit(nn.Module module) => module is ConvBnAct;

    public string Emit(EmitContext ctx, nn.Module module, string path, IReadOnlyList<string> inputs)
    {
        var block = (ConvBnAct)module;
        var conv = EmitContext.Child<Conv2d>(block, path, "conv");
        var y = Conv2dEmitter.EmitConv(ctx, conv, ConvWeights.Fused(conv, block.Norm, path + ".bn"), path + ".conv", inputs[0]);
        return block.Activation ? Silu(ctx, path + ".act", y) : y;
    }

    /// <summary>x * sigmoid(x).</summary>
    public static string Silu(EmitContext ctx, string path, string x) => ctx.Op("Mul", path, [x, ctx.Op("Sigmoid", path, [x])]);
}
