using Forge.Core.Config;
using Forge.Distributed;
using Forge.EndToEnd.Harness;
using Forge.Training;
using static TorchSharp.torch;

// Usage: Forge.EndToEnd.Harness <plain|aux> [--dtype=float32|float64] key=value ...
// One rank of an mpirun job, or a single process, training with the trainer's options set in code (the test hooks of the
// command line, FORGE_STOP_AT_STEP and FORGE_SAMPLE_TRACE, are read from the environment as the CLI reads them).
if (args.Length < 1 || args[0] is not ("plain" or "aux"))
{
    Console.Error.WriteLine("usage: Forge.EndToEnd.Harness plain|aux [--dtype=float32|float64] key=value ...");
    return 2;
}
var dtype = ScalarType.Float32;
var settings = new List<string>();
foreach (var arg in args[1..])
{
    if (arg == "--dtype=float64") dtype = ScalarType.Float64;
    else if (arg == "--dtype=float32") dtype = ScalarType.Float32;
    else if (arg.StartsWith("--dtype=", StringComparison.Ordinal)) { Console.Error.WriteLine($"unknown dtype: {arg}"); return 2; }
    else settings.Add(arg);
}
var cfg = new ForgeConfig();
cfg.ApplyArguments(settings);
using var comm = Communicator.FromEnvironment();
var options = new TrainerOptions { Log = Console.Out, Communicator = comm, Dtype = dtype }.WithEnvironmentHooks();
if (args[0] == "aux") options = options with { ModelFactory = (s, n) => new AuxDetector(s, n) };
var result = new Trainer(cfg, options).Train();
if (comm.IsMain) Console.WriteLine($"harness: done, interrupted={result.Interrupted}");
return 0;
