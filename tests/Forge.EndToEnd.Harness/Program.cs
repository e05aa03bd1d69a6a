using Forge.Core.Config;
using Forge.Distributed;
using Forge.EndToEnd.Harness;
using Forge.Models;
using Forge.Training;

// Usage: Forge.EndToEnd.Harness <plain|aux> key=value ...   (one rank of an mpirun job, or a single process)
if (args.Length < 1 || args[0] is not ("plain" or "aux"))
{
    Console.Error.WriteLine("usage: Forge.EndToEnd.Harness plain|aux key=value ...");
    return 2;
}
var cfg = new ForgeConfig();
cfg.ApplyArguments(args[1..]);
using var comm = Communicator.FromEnvironment();
var options = new TrainerOptions { Log = Console.Out, Communicator = comm }.WithEnvironmentHooks();
if (args[0] == "aux") options = options with { ModelFactory = (s, n) => new AuxDetector(s, n) };
var result = new Trainer(cfg, options).Train();
if (comm.IsMain) Console.WriteLine($"harness: done, interrupted={result.Interrupted}");
return 0;
