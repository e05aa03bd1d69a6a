using Forge.Cli;

CommandLine.RegisterChannelsLastTrialProcess();
return CommandLine.Run(args, Console.Out, Console.Error);
