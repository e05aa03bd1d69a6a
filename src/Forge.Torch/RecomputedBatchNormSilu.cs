using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// Training-mode <c>silu(batch_norm(x))</c> that keeps only its input for backward and recomputes the normalised tensor
/// there (activation recomputation, as <c>torch.utils.checkpoint</c>, for one BatchNorm+SiLU pair).
/// </summary>
/// <remarks>
/// Plain autograd keeps two tensors of the block's size per Conv+BN+SiLU: the BatchNorm's input (for BatchNorm's backward)
/// and its output (for SiLU's backward). This keeps the first only, which cuts the activations a YOLO training step holds
/// for backward by about a third. The forward computes the same <c>batch_norm</c> call as <see cref="HeldBatchNorm"/>
/// (running statistics and batch count updated once) and applies SiLU in place; backward re-runs <c>batch_norm</c> on the
/// saved input with batch statistics (the same kernel on the same values, so the same bits) and lets autograd differentiate
/// it and SiLU, so outputs, gradients and running statistics are bitwise those of the plain path (tested in both memory
/// layouts). Costs one BatchNorm and one SiLU forward per block in backward.
/// </remarks>
public static class RecomputedBatchNormSilu
{
    /// <summary>
    /// <c>silu(norm(input))</c> for <paramref name="input"/> (N, C, H, W) in training mode, updating <paramref name="norm"/>'s
    /// running statistics and batch count exactly as <see cref="HeldBatchNorm.Forward"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="norm"/> is in eval mode or has no affine parameters.</exception>
    public static Tensor Forward(BatchNorm norm, Tensor input)
    {
        if (!norm.training || norm.weight is null || norm.bias is null)
            throw new InvalidOperationException("RecomputedBatchNormSilu is for a training-mode BatchNorm with affine parameters");
        double factor = HeldBatchNorm.CountBatch(norm);
        var (mean, variance) = norm.track_running_stats ? (norm.running_mean, norm.running_var) : (null, null);
        // TorchSharp's apply caches an empty_like of the output (to materialise undefined gradients) in the current scope:
        // released here at once rather than with the caller's scope; gradients of this output are always defined.
        using var scope = NewDisposeScope();
        var output = Function.apply(input, norm.weight, norm.bias, mean!, variance!, factor, norm.eps);
        return output.MoveToOuterDisposeScope();
    }

    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        // The gradients this thread's previous backward handed back: libtorch copied them when that call returned, so they
        // are disposed at the thread's next call rather than kept (with every other tensor of the step) until the caller's
        // scope ends. Per thread: the function object is shared by every model in the process, and another thread's call
        // may come between a backward's return and libtorch's copy of what it returned.
        [ThreadStatic] static List<Tensor>? handedBack;

        public override string Name => nameof(RecomputedBatchNormSilu);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            ReleaseHandedBack();
            var (input, weight, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
            var (mean, variance) = (vars[3] as Tensor, vars[4] as Tensor);
            double momentum = (double)vars[5], eps = (double)vars[6];
            ctx.set_materialize_grads(false);
            ctx.save_for_backward([input, weight, bias]);
            ctx.save_data("eps", eps);
            using var noGrad = no_grad();
            var normalised = nn.functional.batch_norm(input, mean, variance, weight, bias, true, momentum, eps);
            return normalised.silu_();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            ReleaseHandedBack();
            double eps = (double)ctx.get_data("eps");
            List<Tensor> grads;
            using (var scope = NewDisposeScope())
            {
                var saved = ctx.get_saved_variables();
                using var withGrad = enable_grad();
                var leaves = saved.Select(t => t.detach().requires_grad_(true)).ToArray();
                var normalised = nn.functional.batch_norm(leaves[0], null, null, leaves[1], leaves[2], true, 0.0, eps);
                using var output = nn.functional.silu(normalised);
                grads = autograd.grad([output], leaves, [gradOutput]).ToList();
                foreach (var g in grads) g.DetachFromDisposeScope();
            }
            gradOutput.Dispose();   // this call's own handle (TorchSharp makes one per call)
            handedBack = grads;
            return [grads[0], grads[1], grads[2], null!, null!, null!, null!];
        }

        static void ReleaseHandedBack()
        {
            if (handedBack is not { } previous) return;
            handedBack = null;
            foreach (var t in previous) t.Dispose();
        }
    }
}
