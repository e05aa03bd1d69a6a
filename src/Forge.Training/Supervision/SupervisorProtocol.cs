using System.Globalization;

namespace Forge.Training.Supervision;

/// <summary>
/// The lines rank 0 prints for a self-healing launcher (<c>max_restarts=</c>): which run folder the job writes, each optimizer
/// step reached and each checkpoint once it is on disk. The launcher reads them from mpirun's output (and does not echo them),
/// so on a failure it knows which run to resume, from which step, and how many optimizer steps the failure cost. Only printed
/// when the launcher sets <see cref="EnvironmentVariable"/>=1 for the job.
/// </summary>
public static class SupervisorProtocol
{
    public const string Prefix = "##forge ";
    public const string EnvironmentVariable = "FORGE_SUPERVISED";

    /// <summary>True in a rank that a supervising launcher started.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    /// <summary>The job is about to train in <paramref name="runPath"/>, <paramref name="optimizerSteps"/> optimizer steps into the run (0 fresh, more resumed).</summary>
    public static string RunLine(string runPath, long optimizerSteps) => $"{Prefix}run {optimizerSteps.ToString(CultureInfo.InvariantCulture)} {runPath}";
    public static string StepLine(long optimizerSteps) => $"{Prefix}step {optimizerSteps.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><paramref name="epoch"/> 0-based, <paramref name="stepInEpoch"/> global batches into it, as the checkpoint's loop position.</summary>
    public static string SavedLine(int epoch, int stepInEpoch, long optimizerSteps) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}saved {epoch} {stepInEpoch} {optimizerSteps}");

    /// <summary>The event a protocol line carries, or null for any other line (and for malformed protocol lines).</summary>
    public static SupervisorEvent? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var rest = line[Prefix.Length..];
        int space = rest.IndexOf(' ');
        if (space < 0) return null;
        string kind = rest[..space], value = rest[(space + 1)..];
        var parts = value.Split(' ');
        return kind switch
        {
            "run" when value.IndexOf(' ') is var sp and > 0 && long.TryParse(value[..sp], CultureInfo.InvariantCulture, out var at)
                => new RunStarted(value[(sp + 1)..], at),
            "step" when parts.Length == 1 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var s) => new StepReached(s),
            "saved" when parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var e)
                && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var st) && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var o)
                => new CheckpointSaved(e, st, o),
            _ => null,
        };
    }
}

/// <summary>One line of <see cref="SupervisorProtocol"/>.</summary>
public abstract record SupervisorEvent;

/// <summary>The job writes the run folder <paramref name="RunPath"/> (on rank 0's machine) and starts <paramref name="OptimizerSteps"/> steps into the run.</summary>
public sealed record RunStarted(string RunPath, long OptimizerSteps) : SupervisorEvent;

/// <summary>The job completed optimizer step <paramref name="OptimizerSteps"/> (a count since the run began).</summary>
public sealed record StepReached(long OptimizerSteps) : SupervisorEvent;

/// <summary>A checkpoint is on disk: the loop position it resumes at (epoch 0-based, global batches into it) and its optimizer steps.</summary>
public sealed record CheckpointSaved(int Epoch, int StepInEpoch, long OptimizerSteps) : SupervisorEvent
{
    public string Describe() => $"epoch {Epoch + 1}, step {StepInEpoch} (optimizer step {OptimizerSteps})";
}
