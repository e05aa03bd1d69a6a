using Forge.Distributed;
using Forge.Models.Layers;
using Forge.Models.Loss;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// Everything data-parallel training adds to the training loop, behind one object (PyTorch's DDP wrapper): one GPU per rank,
/// SyncBatchNorm, rank 0's weights broadcast and verified, gradients averaged across ranks in buckets (NCCL for CUDA tensors,
/// MPI otherwise), the loss normaliser summed, and one agreement per step on the losses and on stopping. With one process the
/// same calls are local, so the loop has no single-process branch.
/// </summary>
public sealed class DataParallel(ICommunicator comm, CudaGradientPath cudaGradients = CudaGradientPath.Nccl) : IDisposable
{
    NcclAllReduce? nccl;
    GradientBucketReducer? reducer;

    public bool IsMain => comm.IsMain;
    public int Rank => comm.Rank;
    public int WorldSize => comm.WorldSize;
    public ICommunicator Communicator => comm;

    /// <summary>"ranks=2 (mpi)" for the start-up line.</summary>
    public string Describe() => $"ranks={comm.WorldSize} ({comm.Backend})";

    /// <summary>
    /// The training device for the device= setting, and the tensor library's intra-op threads (threads=, else this machine's
    /// cores shared by its ranks). With several ranks on CUDA each rank sees only its local GPU, as cuda:0 (before CUDA starts).
    /// </summary>
    public Device SelectDevice(string setting, int threads)
    {
        // device=0,1 (Ultralytics): rank r on this machine takes the r-th listed GPU; device=cuda on several ranks: GPU = local rank.
        var ids = Forge.Core.Config.ForgeConfig.ParseCudaDevices(setting);
        if (ids.Count > 1 && ids.Count != comm.LocalSize)
            throw new InvalidOperationException($"device={setting} lists {ids.Count} GPUs but {comm.LocalSize} ranks run on this machine; list one GPU per rank");
        bool multiGpu = ids.Count > 0 && comm.WorldSize > 1;
        if (multiGpu) DeviceSelector.RequireCuda(setting, ids);
        if (multiGpu) CudaVisibility.PinLocalRank(ids.Count > 1 ? ids[comm.LocalRank] : comm.LocalRank);
        var device = DeviceSelector.Resolve(multiGpu ? "cuda:0" : setting);
        DeviceSelector.ConfigureHost(threads, comm.LocalSize);
        return device;
    }

    /// <summary>Rank 0's value on every rank (rank 0 computes it, for example by creating the run folder).</summary>
    public string FromMain(Func<string> valueOnMain)
    {
        string? value = comm.IsMain ? valueOnMain() : null;
        if (comm.WorldSize == 1) return value!;
        var all = comm.AllGatherBytes(comm.IsMain ? System.Text.Encoding.UTF8.GetBytes(value!) : []);
        return System.Text.Encoding.UTF8.GetString(all[0]);
    }

    /// <summary>Rank 0's value on every rank (true/false), for decisions rank 0 makes for all, from its disk.</summary>
    public bool FromMain(bool valueOnMain)
    {
        if (comm.WorldSize == 1) return valueOnMain;
        Span<long> v = [comm.IsMain && valueOnMain ? 1 : 0];
        comm.Broadcast(v, 0);
        return v[0] != 0;
    }

    /// <summary>
    /// Rank 0's bytes on every rank (a checkpoint rank 0 read from its disk: nothing is read from another machine's disk). Sent in
    /// chunks of at most 1 GiB, as MPI counts are 32-bit.
    /// </summary>
    public byte[] BroadcastBytes(byte[]? onMain)
    {
        if (comm.WorldSize == 1) return onMain ?? throw new ArgumentNullException(nameof(onMain));
        Span<long> length = [comm.IsMain ? onMain!.Length : 0];
        comm.Broadcast(length, 0);
        var buffer = comm.IsMain ? onMain! : new byte[length[0]];
        const int Chunk = 1 << 30;
        for (long offset = 0; offset < length[0]; offset += Chunk)
            comm.Broadcast(buffer.AsSpan((int)offset, (int)Math.Min(Chunk, length[0] - offset)), 0);
        return buffer;
    }

    /// <summary>This machine's host name, as messages name a rank's machine.</summary>
    public static string Host => Environment.MachineName;

    /// <summary>
    /// Opens something every rank needs from its own machine (the dataset) and checks that every rank sees the same thing:
    /// each rank reports its host and either <paramref name="identity"/> of what it opened or why it could not. On a mismatch
    /// or a failure every rank throws the same error, naming each machine (host and rank) that differs from rank 0.
    /// </summary>
    /// <exception cref="Forge.Core.Config.ConfigException">A rank could not open it, or it differs from rank 0's.</exception>
    public T OpenOnEveryRank<T>(string what, Func<T> open, Func<T, string> identity)
    {
        if (comm.WorldSize == 1) return open();
        T? value = default;
        string report;
        try
        {
            value = open();
            report = "ok\n" + identity(value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            report = "error\n" + e.Message;
        }
        var all = comm.AllGatherBytes(System.Text.Encoding.UTF8.GetBytes(Host + "\n" + report))
            .Select(b => System.Text.Encoding.UTF8.GetString(b).Split('\n', 3)).ToArray();
        var problems = new List<string>();
        for (int r = 0; r < all.Length; r++)
        {
            var (host, status, detail) = (all[r][0], all[r][1], all[r][2]);
            if (status == "error") problems.Add($"rank {r} on {host} cannot open {what}: {detail}");
            else if (r > 0 && all[0][1] == "ok" && detail != all[0][2])
                problems.Add($"rank {r} on {host} sees {what} as {detail}, rank 0 on {all[0][0]} as {all[0][2]}");
        }
        if (problems.Count > 0)
            throw new Forge.Core.Config.ConfigException($"{what} must be the same on every machine (each one needs it at the same path): " +
                                                        string.Join("; ", problems));
        return value!;
    }

    /// <summary>
    /// sync_bn=true on several ranks: BatchNorm statistics over the global batch. Replaces BatchNorm tensors, so call it before
    /// anything holds the model's parameters (optimizer, EMA, <see cref="AttachGradientReducer"/>).
    /// </summary>
    public void SynchronizeBatchNorm(nn.Module model, bool syncBn, TextWriter log)
    {
        if (!syncBn || comm.WorldSize == 1) return;
        log.WriteLine($"sync_bn: {BatchNormReplacement.Replace(model, bn => new SyncBatchNorm2d(bn, comm))} BatchNorm layers synchronise their statistics across {comm.WorldSize} ranks");
    }

    /// <summary>The all-reduce of the model's gradients in buckets of <paramref name="bucketMb"/> MB; names unused parameters once.</summary>
    public void AttachGradientReducer(nn.Module model, double bucketMb, Device device, TextWriter log)
    {
        if (device.type == DeviceType.CUDA && comm.WorldSize > 1 && cudaGradients == CudaGradientPath.Nccl) nccl = new NcclAllReduce(comm);
        reducer = GradientBucketReducer.ForModule(model, comm, (long)(bucketMb * 1024 * 1024),
            warning: m => log.WriteLine("WARNING: " + m), deviceAllReduce: nccl);
    }

    /// <summary>
    /// Every rank starts from identical weights: a fresh run takes rank 0's (the EMA copies them), a resumed one loaded the same
    /// file everywhere. Either way a checksum of every parameter and buffer is compared across ranks.
    /// </summary>
    public void StartIdentical(nn.Module model, ModelEma ema, bool resumed)
    {
        if (!resumed)
        {
            TensorCollectives.BroadcastModuleState(model, comm);
            ema.CopyFrom();
        }
        TensorCollectives.VerifyIdenticalState(model, comm);
    }

    /// <summary>Averages the accumulated gradients over ranks (after backward, before the optimizer step).</summary>
    public void AverageGradients() => reducer!.ReduceAndAverage();

    /// <summary>Before saving mid-accumulation: averaged gradients are what every rank count continues from.</summary>
    public void AverageGradientsForSave()
    {
        if (comm.WorldSize > 1) reducer!.ReduceAndAverage();
    }

    /// <summary>The loss normaliser of a global batch of <paramref name="globalImages"/> images, summed over ranks.</summary>
    public LossNormalization LossNormalization(int globalImages) => new(globalImages, comm.WorldSize, SumAcrossRanks);

    double SumAcrossRanks(double local)
    {
        if (comm.WorldSize == 1) return local;
        Span<double> v = [local];
        comm.AllReduceSum(v);
        return v[0];
    }

    /// <summary>
    /// One all-reduce per step: the loss terms summed over ranks (each rank's share adds up to the global value) and whether any
    /// rank was asked to stop or found time= used up (<paramref name="timeUp"/>). A rank that learns of another's request records it on <paramref name="stop"/>.
    /// </summary>
    public StepLosses AgreeOnStep(LossItems? local, StopSignal stop, bool timeUp = false)
    {
        Span<double> v = [local?.Box ?? 0, local?.Cls ?? 0, local?.Dfl ?? 0, stop.Requested ? 1 : 0, timeUp ? 1 : 0];
        comm.AllReduceSum(v);
        bool stopAll = v[3] > 0;
        if (stopAll && !stop.Requested) stop.Request("another rank");
        return new StepLosses(v[0], v[1], v[2], stopAll, TimeUp: v[4] > 0);
    }

    /// <summary>True on every rank when any rank was asked to stop (a signal during validation or saving).</summary>
    public bool AgreeToStop(StopSignal stop)
    {
        Span<double> flag = [stop.Requested ? 1 : 0];
        comm.AllReduceSum(flag);
        if (flag[0] > 0 && !stop.Requested) stop.Request("another rank");
        return flag[0] > 0;
    }

    public void Barrier() => comm.Barrier();

    public void Dispose()
    {
        reducer?.Dispose();
        nccl?.Dispose();
    }
}

/// <summary>A step's loss terms summed over ranks, whether the job stops after it, and whether time= ran out on any rank.</summary>
public readonly record struct StepLosses(double Box, double Cls, double Dfl, bool Stop, bool TimeUp = false)
{
    public bool IsFinite => double.IsFinite(Box + Cls + Dfl);
}
