using Forge.Distributed;
using Forge.Distributed.Harness;

// One rank of a multi-process test. Each scenario checks its own results and throws on a mismatch; the communicator's
// unhandled-exception handler then prints "rank N: ..." and aborts the job, so mpirun's exit code carries the verdict.
var scenarios = new Dictionary<string, Action<ICommunicator>>(StringComparer.Ordinal)
{
    ["collectives"] = CollectivesScenario.Run,
    ["module-broadcast"] = ModuleBroadcastScenario.Run,
    ["gradient-reducer"] = GradientReducerScenario.Run,
    ["unused-parameters"] = UnusedParametersScenario.Run,
    ["sampler"] = SamplerScenario.Run,
    ["sync-batchnorm"] = SyncBatchNormScenario.Layer,
    ["sync-batchnorm-detector"] = SyncBatchNormScenario.Detector,
    ["fault-throw"] = FaultScenarios.Throw,
    ["fault-exit"] = FaultScenarios.Exit,
    ["bench"] = BenchScenario.Run,
};

if (args.Length != 1 || !scenarios.TryGetValue(args[0], out var scenario))
{
    Console.Error.WriteLine($"usage: mpirun -np 2 dotnet Forge.Distributed.Harness.dll <{string.Join("|", scenarios.Keys)}>");
    return 2;
}

using var comm = Communicator.FromEnvironment();
scenario(comm);
comm.Barrier();
Console.WriteLine($"rank {comm.Rank}: {args[0]} ok");
return 0;
