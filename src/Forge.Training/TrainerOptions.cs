using Forge.Distributed;
using Forge.Models;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>Which path gradients of CUDA parameters take between ranks.</summary>
public enum CudaGradientPath
{
    /// <summary>Summed on the GPUs with NCCL (the default).</summary>
    Nccl,
    /// <summary>Copied to host memory and summed through MPI, like CPU gradients (for machines without a working NCCL).</summary>
    Mpi,
}

/// <summary>
/// How a <see cref="Trainer"/> runs, beyond the user's settings: where it logs, which rank of a job it is, where stop requests
/// arrive, how the model is built, the tensor type, and the hooks tests use. The trainer reads no environment variables:
/// the command line maps its FORGE_* variables onto these options at its edge (<see cref="WithEnvironmentHooks"/>).
/// </summary>
public sealed record TrainerOptions
{
    public TextWriter Log { get; init; } = Console.Out;
    /// <summary>This process's rank in a data-parallel job (default: a single process).</summary>
    public ICommunicator Communicator { get; init; } = new SingleProcessCommunicator();
    /// <summary>Where SIGTERM/SIGINT requests arrive (default: none installed).</summary>
    public StopSignal Stop { get; init; } = new(install: false);
    /// <summary>Builds the detector for a scale and class count, for library users training their own variant.</summary>
    public Func<ModelScale, int, YoloDetector> ModelFactory { get; init; } = Training.ModelFactory.DefaultDetector;
    /// <summary>
    /// Floating-point type of the weights, gradients, optimizer state and batches: float32 (training) or float64, for
    /// equivalence tests in which rounding (about 1e-7 relative in float32) cannot hide a real difference.
    /// </summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;
    /// <summary>Test hook: behave as if SIGTERM arrived during global iteration N-1 (finish it, save, exit), so
    /// interrupt-and-resume tests stop at a chosen point instead of racing a timer.</summary>
    public long? StopAtIteration { get; init; }
    /// <summary>Test hook: rank r appends one "epoch sample-index" line per trained sample to <c>{SampleTrace}.rank{r}</c>, to
    /// check that resuming, on any number of ranks, sees every sample of an epoch exactly once.</summary>
    public string? SampleTrace { get; init; }
    public CudaGradientPath CudaGradients { get; init; } = CudaGradientPath.Nccl;
    /// <summary>Where rank 0 prints <see cref="Supervision.SupervisorProtocol"/> lines for a self-healing launcher (null: not supervised).</summary>
    public TextWriter? Supervisor { get; init; }
    /// <summary>Called on rank 0 after each epoch's results row, with the epoch's phase times and memory (benchmarks, dashboards).</summary>
    public Action<EpochReport>? EpochEnded { get; init; }

    /// <summary>
    /// These options with the command line's environment hooks applied: FORGE_STOP_AT_STEP=N (<see cref="StopAtIteration"/>),
    /// FORGE_SAMPLE_TRACE=prefix (<see cref="SampleTrace"/>), FORGE_DDP_BACKEND=mpi (<see cref="CudaGradients"/>) and
    /// FORGE_SUPERVISED=1 (<see cref="Supervisor"/>: the log, set by the launcher under max_restarts).
    /// </summary>
    public TrainerOptions WithEnvironmentHooks() => this with
    {
        StopAtIteration = long.TryParse(Environment.GetEnvironmentVariable("FORGE_STOP_AT_STEP"), out var n) && n > 0 ? n : StopAtIteration,
        SampleTrace = Environment.GetEnvironmentVariable("FORGE_SAMPLE_TRACE") is { Length: > 0 } trace ? trace : SampleTrace,
        CudaGradients = Environment.GetEnvironmentVariable("FORGE_DDP_BACKEND") == "mpi" ? CudaGradientPath.Mpi : CudaGradients,
        Supervisor = Supervision.SupervisorProtocol.Enabled ? Log : Supervisor,
    };
}
