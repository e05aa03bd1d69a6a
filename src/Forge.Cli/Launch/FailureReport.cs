using System.Text.RegularExpressions;

namespace Forge.Cli.Launch;

/// <summary>
/// What ended a failed mpirun job, read line by line from mpirun's and the ranks' messages: the first rank that died (and on
/// which machine), how (killed by a signal, a non-zero exit, an exception it reported before aborting the job), or a machine
/// that Open MPI lost. Messages of Open MPI 4.1 ("mpirun noticed that process rank 1 ... exited on signal 9 (Killed)", the
/// "Process name: [[j,1],r] / Exit code: N" block, "MPI_ABORT was invoked on rank r", "Remote daemon: ... on node H") and
/// Forge's own "rank N: (host) Type: message" line.
/// </summary>
public sealed partial class FailureReport
{
    public int? Rank { get; private set; }
    public string? Host { get; private set; }
    public string? Cause { get; private set; }
    /// <summary>A machine Open MPI lost or could not reach (its daemon died or never started).</summary>
    public string? LostHost { get; private set; }
    int? pendingRank;

    public void Observe(string line)
    {
        Match m;
        if ((m = Signalled().Match(line)).Success) Record(int.Parse(m.Groups[1].Value), m.Groups[2].Value, $"killed by signal {m.Groups[3].Value} ({m.Groups[4].Value})");
        else if ((m = ForgeError().Match(line)).Success) RecordException(int.Parse(m.Groups[1].Value), m.Groups[2].Value, m.Groups[3].Value);
        else if ((m = AbortedRank().Match(line)).Success) Record(int.Parse(m.Groups[1].Value), null, "aborted the job");
        else if ((m = ProcessName().Match(line)).Success) pendingRank = int.Parse(m.Groups[1].Value);
        else if ((m = ExitCode().Match(line)).Success && pendingRank is { } r) Record(r, null, $"exited with code {m.Groups[1].Value}");
        else if ((m = LostDaemon().Match(line)).Success) LostHost ??= m.Groups[1].Value;
        else if (line.Contains("ORTE was unable to reliably start one or more daemons", StringComparison.Ordinal)) LostHost ??= "(one whose Open MPI daemon died or did not start)";
    }

    void Record(int rank, string? host, string cause)
    {
        if (Rank is not null && Rank != rank) return;   // the first rank to fail is the cause; the others followed it
        Rank = rank;
        Host ??= host;
        Cause ??= cause;
    }

    void RecordException(int rank, string? host, string what)
    {
        if (Rank is not null && Rank != rank) return;
        Rank = rank;
        Host ??= host;
        Cause = $"threw {what}";   // more telling than the abort that follows it
    }

    /// <summary>"rank 1 (on node1) killed by signal 9 (Killed)"; the exit code when nothing better was said.</summary>
    public string Describe(int exitCode)
    {
        if (Rank is null) return LostHost is { } h ? $"lost machine {h}" : $"mpirun exited with code {exitCode}";
        string where = Host is null ? "" : $" on {Host}";
        return $"rank {Rank}{where} {Cause}" + (LostHost is { } lost ? $" (lost machine {lost})" : "");
    }

    [GeneratedRegex(@"process rank (\d+) with PID \d+ on node (\S+) exited on signal (\d+) \(([^)]*)\)")]
    private static partial Regex Signalled();
    [GeneratedRegex(@"^rank (\d+): \(([^)]*)\) (.+)$")]
    private static partial Regex ForgeError();
    [GeneratedRegex(@"MPI_ABORT was invoked on rank (\d+)")]
    private static partial Regex AbortedRank();
    [GeneratedRegex(@"Process name:\s+\[\[\d+,\d+\],(\d+)\]")]
    private static partial Regex ProcessName();
    [GeneratedRegex(@"^\s*Exit code:\s+(-?\d+)")]
    private static partial Regex ExitCode();
    [GeneratedRegex(@"Remote daemon:\s+\[\[\d+,\d+\],\d+\] on node (\S+)")]
    private static partial Regex LostDaemon();
}
