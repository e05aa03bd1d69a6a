using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>
/// BatchNorm2d whose training-mode statistics cover the whole distributed batch (PyTorch's SyncBatchNorm): every rank
/// normalises with the mean and variance over all ranks' samples, and the input gradient accounts for every rank's samples.
/// </summary>
/// <remarks>
/// <para>Parameters and buffers have BatchNorm2d's names, shapes and order (weight, bias, running_mean, running_var,
/// num_batches_tracked), so checkpoints and the EMA model, which keep plain BatchNorm2d, load either way.</para>
/// <para>Training costs one all-reduce of 2C+1 doubles in the forward pass and one of 2C doubles in the backward pass
/// (none when the input needs no gradient). Every rank must run the same layers in the same order, as with any collective.
/// Evaluation uses the running statistics and communicates nothing. weight/bias gradients are this rank's share only:
/// the gradient reducer averages them across ranks like every other parameter.</para>
/// <para>On CUDA the backward all-reduce runs on the autograd engine's device thread; <see cref="MpiCommunicator"/> takes calls
/// from any thread. A rank whose batch is empty still joins both all-reduces.</para>
/// </remarks>
public sealed class SyncBatchNorm2d : nn.Module<Tensor, Tensor>
{
    static readonly long[] ReduceDims = { 0, 2, 3 };

    // Field names are the component names, so RegisterComponents and Module.to find them under BatchNorm's names.
    Parameter? weight;
    Parameter? bias;
    Tensor? running_mean;
    Tensor? running_var;
    Tensor? num_batches_tracked;

    readonly ICommunicator comm;

    public long NumFeatures { get; }
    public double Eps { get; }
    /// <summary>Weight of the newest batch in the running statistics; null means a cumulative average (as in PyTorch).</summary>
    public double? Momentum { get; }
    public ICommunicator Communicator => comm;

    public Parameter? Weight => weight;
    public Parameter? Bias => bias;
    public Tensor? RunningMean => running_mean;
    public Tensor? RunningVar => running_var;
    public Tensor? NumBatchesTracked => num_batches_tracked;

    /// <summary>
    /// A synchronised copy of <paramref name="source"/>: its weight, bias and running statistics are cloned (the source stays
    /// independent and usable), eps, momentum, affine/track_running_stats, requires_grad and train/eval mode are kept.
    /// </summary>
    public SyncBatchNorm2d(BatchNorm2d source, ICommunicator comm) : base(nameof(SyncBatchNorm2d))
    {
        ArgumentNullException.ThrowIfNull(source);
        this.comm = comm ?? throw new ArgumentNullException(nameof(comm));
        NumFeatures = source.num_features;
        Eps = source.eps;
        Momentum = source.momentum;
        using (no_grad())
        {
            // Registration order follows BatchNorm: parameters weight, bias; buffers running_mean, running_var, num_batches_tracked.
            if (source.weight is not null)
            {
                weight = new Parameter(source.weight.detach().clone(), source.weight.requires_grad);
                register_parameter(nameof(weight), weight);
            }
            if (source.bias is not null)
            {
                bias = new Parameter(source.bias.detach().clone(), source.bias.requires_grad);
                register_parameter(nameof(bias), bias);
            }
            running_mean = Register(nameof(running_mean), source.running_mean);
            running_var = Register(nameof(running_var), source.running_var);
            num_batches_tracked = Register(nameof(num_batches_tracked), source.num_batches_tracked);
        }
        weight?.DetachFromDisposeScope();
        bias?.DetachFromDisposeScope();
        train(source.training);
    }

    Tensor? Register(string name, Tensor? source)
    {
        if (source is null) return null;
        var copy = source.detach().clone().DetachFromDisposeScope();
        register_buffer(name, copy);
        return copy;
    }

    public override Tensor forward(Tensor input)
    {
        if (input.ndim != 4)
            throw new ArgumentException($"SyncBatchNorm2d expects a 4D input (batch, channels, height, width), got {input.ndim}D.", nameof(input));
        if (input.shape[1] != NumFeatures)
            throw new ArgumentException($"SyncBatchNorm2d has {NumFeatures} channels but the input has {input.shape[1]}.", nameof(input));

        bool tracking = running_mean is not null && running_var is not null;
        if (!training)
        {
            // Evaluation is per rank, as in PyTorch: running statistics, or this batch's own when none are tracked.
            return tracking
                ? nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training: false, momentum: 0, eps: Eps)
                : nn.functional.batch_norm(input, null, null, weight, bias, training: true, momentum: 0, eps: Eps);
        }

        using var scope = NewDisposeScope();
        var (mean, variance, count) = GlobalStatistics(input);
        if (tracking) UpdateRunningStatistics(mean, variance, count);
        var result = SyncBatchNormFunction.apply(input, weight, bias, mean, variance, Eps, comm, count);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Per-channel mean and biased variance (float64) over every rank's batch, and the number of values per channel.</summary>
    (Tensor Mean, Tensor Variance, double Count) GlobalStatistics(Tensor input)
    {
        using var _ = no_grad();
        long channels = input.shape[1];
        long localCount = input.NumberOfElements / Math.Max(channels, 1);
        Tensor sum, sumOfSquares;
        if (localCount > 0)
        {
            // Local two-pass moments in the input precision, combined in float64 where E[x^2]-E[x]^2 cancels harmlessly.
            // (var_mean would do the same in one call but is several times slower on CPU for this reduction.)
            var x = input.detach();
            var localMean = x.mean(ReduceDims, keepdim: true);
            // Scalars explicit and held throughout (HeldScalars): square(), add_(t), mul(n) would each make an unheld one.
            var squaredDeviations = x.sub(localMean).pow_(HeldScalars.Two).sum(ReduceDims);
            var mean64 = localMean.flatten().to(ScalarType.Float64);
            sum = mean64.Times(localCount);
            sumOfSquares = mean64.pow(HeldScalars.Two).MulInPlace(localCount).AddInPlace(squaredDeviations.to(ScalarType.Float64));
        }
        else
        {
            // A rank with an empty batch still joins the all-reduce, contributing nothing.
            sum = zeros(channels, ScalarType.Float64, input.device);
            sumOfSquares = zeros(channels, ScalarType.Float64, input.device);
        }
        var packed = cat(new[] { sum, sumOfSquares, HeldScalars.Full([1], localCount, ScalarType.Float64, input.device) });
        TensorCollectives.AllReduceSum(packed, comm);

        double count = packed[2 * channels].item<double>();
        if (count <= 1)
            throw new InvalidOperationException(
                $"SyncBatchNorm2d needs more than 1 value per channel when training, got {count} over all {comm.WorldSize} rank(s) " +
                $"(input {string.Join("x", input.shape)} on rank {comm.Rank}); use a larger batch or image size.");
        var mean = packed.narrow(0, 0, channels).Over(count);
        var variance = packed.narrow(0, channels, channels).Over(count).sub_(mean.pow(HeldScalars.Two)).clamp_min_(HeldScalars.Zero);
        return (mean, variance, count);
    }

    void UpdateRunningStatistics(Tensor mean, Tensor variance, double count)
    {
        using var _ = no_grad();
        double factor = Momentum ?? 0.0;
        if (num_batches_tracked is not null)
        {
            num_batches_tracked.add_(HeldScalars.One, HeldScalars.One);
            if (Momentum is null)
            {
                using var tracked = num_batches_tracked.to(ScalarType.Float64);
                factor = 1.0 / tracked.item<double>();
            }
        }
        // PyTorch's convention: the running variance is the unbiased estimate of the whole batch.
        using var unbiased = variance.Times(count / (count - 1));
        running_mean!.MulInPlace(1 - factor).AddInPlace(mean.to(running_mean!.dtype), factor);
        running_var!.MulInPlace(1 - factor).AddInPlace(unbiased.to(running_var!.dtype), factor);
    }
}
