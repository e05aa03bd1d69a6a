using Forge.Bench.Benchmarks;
using Forge.Bench.Harness;

// forge-bench: Forge's benchmarks. './forge bench list' names them; './forge bench help NAME' shows a benchmark's settings.
IBenchmark[] benchmarks =
[
    new TrainStepBenchmark(),
    new LoaderBenchmark(),
    new PostprocessBenchmark(),
    new CheckpointBenchmark(),
    new AllReduceBandwidthBenchmark(),
    new DdpOverheadBenchmark(),
    new UnusedLayerBenchmark(),
    new KillResumeBenchmark(),
    new OnnxParityBenchmark(),
    new OnnxSpeedBenchmark(),
    new OnnxValBenchmark(),
    new KillRestartBenchmark(),
    new TrainEpochBenchmark(),
    new AugmentBenchmark(),
    new InferenceBenchmark(),
];
// The channels_last check's child process (CPUs that describe no caches; see ChannelsLastCheck) is this program again.
if (args is [Forge.Cli.CommandLine.ChannelsLastTrialMode, ..]) return Forge.Cli.CommandLine.Run(args, Console.Out, Console.Error);
Forge.Cli.CommandLine.RegisterChannelsLastTrialProcess();
return new BenchRunner(benchmarks).Run(args, Console.Out, Console.Error);
