namespace Forge.Bench.Workloads;

/// <summary>Seconds spent in each phase of one training step.</summary>
/// <param name="ForwardLoss">Batch to tensors, forward pass and loss (including the assigner).</param>
/// <param name="Backward">Back-propagation.</param>
/// <param name="Sync">The loss-item all-reduce after backward: the first collective after it, so it also absorbs the wait for the
/// slowest rank to finish its backward pass (zero without distribution).</param>
/// <param name="Reduce">Gradient averaging by GradientBucketReducer (ranks are in step by then, so this is the transfer itself).</param>
/// <param name="Optimizer">Gradient clipping, optimizer step, zeroing gradients, EMA update.</param>
public readonly record struct StepTiming(double ForwardLoss, double Backward, double Sync, double Reduce, double Optimizer)
{
    public double Total => ForwardLoss + Backward + Sync + Reduce + Optimizer;
}
