using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Swaps the BatchNorm2d layers of a model built from <see cref="ConvBnAct"/> blocks for other normalisation layers under
/// the same names, e.g. distributed training's synchronised BatchNorm (<c>sync_bn=true</c>):
/// <c>BatchNormReplacement.Replace(model, bn =&gt; new SyncBatchNorm2d(bn, comm))</c>.
/// </summary>
public static class BatchNormReplacement
{
    /// <summary>
    /// Puts <paramref name="replacement"/>(bn) in place of the BatchNorm2d of every <see cref="ConvBnAct"/> in
    /// <paramref name="model"/> (the model itself included) and disposes the old layer; returns how many were replaced.
    /// Parameter and state-dict names, shapes and order do not change, so checkpoints, the EMA model and parameter groups
    /// see the same model. Layers that are no longer BatchNorm2d (already replaced) are left alone.
    /// </summary>
    /// <remarks>
    /// The new layers hold new tensors: replace right after building (and loading) the model and before anything keeps
    /// references to its parameters (optimizer, gradient reducer, EMA pairs, state broadcast).
    /// </remarks>
    /// <exception cref="NotSupportedException">The model has a BatchNorm2d outside ConvBnAct (its owner calls it through a
    /// field, so it cannot be swapped); the message names it and nothing has been changed.</exception>
    public static int Replace(nn.Module model, Func<BatchNorm2d, nn.Module<Tensor, Tensor>> replacement)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(replacement);

        var blocks = new List<ConvBnAct>();
        if (model is ConvBnAct root) blocks.Add(root);
        foreach (var (_, module) in model.named_modules())
            if (module is ConvBnAct block) blocks.Add(block);
        var insideBlocks = new HashSet<nn.Module>(blocks.Select(b => (nn.Module)b.Norm), ReferenceEqualityComparer.Instance);
        var unsupported = model.named_modules().Where(m => m.module is BatchNorm2d && !insideBlocks.Contains(m.module)).Select(m => m.name).ToList();
        if (unsupported.Count > 0)
            throw new NotSupportedException(
                $"only the BatchNorm2d inside ConvBnAct blocks can be replaced, but the model also has BatchNorm2d at " +
                $"{string.Join(", ", unsupported)}; build those layers from ConvBnAct or give their owner a way to swap them.");

        int replaced = 0;
        foreach (var block in blocks)
        {
            if (block.Norm is not BatchNorm2d norm) continue;
            block.ReplaceNorm(replacement(norm)).Dispose();
            replaced++;
        }
        return replaced;
    }
}
