using Forge.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Distributed;

/// <summary>
/// Autograd function of <see cref="SyncBatchNorm2d"/> in training: normalises with statistics already reduced over all ranks,
/// and in backward reduces the two per-channel gradient sums so each rank's input gradient includes every rank's samples.
/// </summary>
/// <remarks>
/// Arguments of <c>apply</c>: input, weight (or null), bias (or null), global mean, global biased variance (both per channel, in
/// float64), eps, communicator, number of values per channel over all ranks. TorchSharp keeps one instance of the function for
/// all calls, so everything per call lives in the autograd context.
/// </remarks>
internal sealed class SyncBatchNormFunction : autograd.SingleTensorFunction<SyncBatchNormFunction>
{
    static readonly long[] ReduceDims = { 0, 2, 3 };

    public override string Name => nameof(SyncBatchNormFunction);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var weight = vars[1] as Tensor;
        var bias = vars[2] as Tensor;
        var globalMean = (Tensor)vars[3];
        var globalVariance = (Tensor)vars[4];
        double eps = (double)vars[5];
        // The tensors saved for backward are made here, never forward's own statistics arguments: with the mean argument
        // itself saved, float32 two-rank runs ended 26 to 85 times further from float64 than a single process does (BatchNorm
        // biases after three steps, measured by DistributedTrainingTests); with copies made here, as close as one process.
        var mean = globalMean.to(input.dtype, copy: true);
        var invstd = globalVariance.Plus(eps).rsqrt_().to(input.dtype);   // held Scalars throughout (HeldScalars)
        // (x - mean) * invstd * w + b, the normalisation a training-mode BatchNorm applies, with the global statistics.
        long[] perChannel = { 1, input.shape[1], 1, 1 };
        var scale = weight is null ? invstd : invstd.mul(weight);
        var output = input.sub(mean.view(perChannel)).mul_(scale.view(perChannel));
        if (bias is not null) output.AddInPlace(bias.view(perChannel));
        ctx.save_for_backward(new List<Tensor> { input, weight!, mean, invstd });
        ctx.save_data("comm", vars[6]);
        ctx.save_data("count", vars[7]);
        ctx.save_data("inputGrad", input.requires_grad);
        ctx.save_data("hasBias", bias is not null);
        return output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var comm = (ICommunicator)ctx.get_data("comm");
        double count = (double)ctx.get_data("count");
        bool inputGrad = (bool)ctx.get_data("inputGrad");
        bool hasBias = (bool)ctx.get_data("hasBias");

        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        Tensor input = saved[0], mean = saved[2], invstd = saved[3];
        Tensor? weight = saved[1];
        long channels = input.shape[1];
        long[] perChannel = { 1, channels, 1, 1 };

        var centered = input.sub(mean.view(perChannel));
        // Both sums accumulate in float64, as libtorch's own CPU BatchNorm backward does (acc_type<float> is double on the
        // CPU): dy sums to a small number from large terms of both signs, and a float32 sum over an NCHW batch lost 30-50x
        // more than a single process (every BatchNorm bias after three steps, DistributedTrainingTests, channels_last=false).
        var sumDy = gradOutput.sum(ReduceDims, type: ScalarType.Float64);
        var sumDyCentered = gradOutput.mul(centered).sum(ReduceDims, type: ScalarType.Float64);

        // This rank's share only; the gradient reducer combines parameter gradients across ranks afterwards.
        // New tensors (copy: true), never views of the sums, which the input gradient below still reads.
        Tensor? gradWeight = weight is null ? null : sumDyCentered.mul(invstd).to(input.dtype, copy: true);
        Tensor? gradBias = hasBias ? sumDy.to(input.dtype, copy: true) : null;

        Tensor? gradInput = null;
        if (inputGrad)
        {
            var packed = cat(new[] { sumDy, sumDyCentered });
            TensorCollectives.AllReduceSum(packed, comm);
            packed.DivInPlace(count);
            var meanDy = packed.narrow(0, 0, channels).to(input.dtype);
            var meanDyCentered = packed.narrow(0, channels, channels).to(input.dtype);
            // dx = w*invstd * (dy - mean(dy) - xhat*mean(dy*xhat)), with xhat = (x-mean)*invstd and means over all ranks,
            // regrouped per channel as (x-mean)*a + dy*s + c so it takes three passes over the activation.
            var scale = weight is null ? invstd : invstd.mul(weight);
            var slope = invstd.pow(HeldScalars.Two).mul_(meanDyCentered).mul_(scale).neg_();
            var offset = scale.mul(meanDy).neg_();
            gradInput = centered.mul_(slope.view(perChannel)).AddInPlace(offset.view(perChannel)).addcmul_(gradOutput, scale.view(perChannel), HeldScalars.One);
        }

        // One entry per apply() argument: input, weight, bias, then no gradient for the statistics and settings.
        var result = new List<Tensor> { Keep(gradInput), Keep(gradWeight), Keep(gradBias), null!, null!, null!, null!, null! };
        return result;
    }

    static Tensor Keep(Tensor? t) => t is null ? null! : t.MoveToOuterDisposeScope();
}
