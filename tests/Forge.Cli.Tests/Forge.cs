using Forge.Cli;

namespace Forge.Cli.Tests;

/// <summary>Runs the forge command in-process and captures what it printed.</summary>
public sealed record ForgeRun(int ExitCode, string Stdout, string Stderr)
{
    public static ForgeRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        return new ForgeRun(code, stdout.ToString(), stderr.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
