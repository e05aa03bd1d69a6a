using Forge.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>Turns a model's BatchNorm layers into <see cref="SyncBatchNorm2d"/> for multi-process training (<c>sync_bn=True</c>).</summary>
public static class SyncBatchNorm
{
    /// <summary>
    /// Replaces the BatchNorm2d of every <see cref="ConvBnAct"/> in <paramref name="model"/> with a <see cref="SyncBatchNorm2d"/>
    /// on <paramref name="comm"/> holding a copy of its state, under the same name, and returns how many were replaced.
    /// Parameter names, shapes and order do not change, so checkpoints, the EMA model and parameter groups see the same model.
    /// </summary>
    /// <remarks>
    /// The new layers hold new tensors: convert right after building (and loading) the model and before anything keeps
    /// references to its parameters (optimizer, gradient reducer, EMA pairs, state broadcast). Layers already synchronised are
    /// left alone, so converting twice is harmless. A BatchNorm2d outside ConvBnAct cannot be swapped (its owner calls it
    /// through a field) and fails the conversion, naming it, before anything is changed. Converting only pays off with
    /// more than one rank; with one it computes what BatchNorm2d computes, more slowly.
    /// </remarks>
    public static int Convert(nn.Module model, ICommunicator comm)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(comm);

        var blocks = new List<ConvBnAct>();
        var unsupported = new List<string>();
        var insideBlocks = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        if (model is ConvBnAct root) blocks.Add(root);
        foreach (var (name, module) in model.named_modules())
            if (module is ConvBnAct block) blocks.Add(block);
        foreach (var block in blocks) insideBlocks.Add(block.Norm);
        foreach (var (name, module) in model.named_modules())
            if (module is BatchNorm2d && !insideBlocks.Contains(module)) unsupported.Add(name);
        if (unsupported.Count > 0)
            throw new NotSupportedException(
                $"SyncBatchNorm.Convert can only replace the BatchNorm2d inside ConvBnAct blocks, but the model also has BatchNorm2d at " +
                $"{string.Join(", ", unsupported)}; build those layers from ConvBnAct or give their owner a way to swap them.");

        int converted = 0;
        foreach (var block in blocks)
        {
            if (block.Norm is not BatchNorm2d norm) continue;
            var synced = new SyncBatchNorm2d(norm, comm);
            block.ReplaceNorm(synced).Dispose();
            converted++;
        }
        return converted;
    }
}
