namespace Forge.Bench.Workloads;

/// <summary>Seconds spent in each phase of one training step.</summary>
/// <param name="ForwardLoss">Batch to tensors, forward pass and loss (including the assigner).</param>
/// <param name="Backward">Back-propagation.</param>
/// <param name="Reduce">Cross-rank work: loss-item all-reduce and gradient averaging (zero without distribution).</param>
/// <param name="Optimizer">Gradient clipping, optimizer step, zeroing gradients, EMA update.</param>
public readonly record struct StepTiming(double ForwardLoss, double Backward, double Reduce, double Optimizer)
{
    public double Total => ForwardLoss + Backward + Reduce + Optimizer;
}
