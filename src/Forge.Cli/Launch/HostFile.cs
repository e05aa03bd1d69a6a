using System.Diagnostics;
using Forge.Core.Config;

namespace Forge.Cli.Launch;

/// <summary>
/// An Open MPI hostfile: one machine per line (<c>node1 slots=4</c>), '#' starts a comment. Before a restart the launcher
/// asks which machines still answer (<see cref="Reachable"/>) and writes the survivors to a new hostfile (<see cref="WriteTo"/>).
/// </summary>
public sealed class HostFile
{
    /// <summary>The machines, in file order, with their whole line (slots and other options kept).</summary>
    public IReadOnlyList<(string Host, string Line)> Hosts { get; }

    public HostFile(IReadOnlyList<(string Host, string Line)> hosts) => Hosts = hosts;

    /// <exception cref="ConfigException">The file does not exist or names no machine.</exception>
    public static HostFile Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"hostfile={path}: no such file; write one line per machine, like 'node1 slots=4'");
        var hosts = File.ReadAllLines(path)
            .Select(l => (l.Contains('#') ? l[..l.IndexOf('#')] : l).Trim())
            .Where(l => l.Length > 0)
            .Select(l => (l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0], l))
            .ToList();
        if (hosts.Count == 0) throw new ConfigException($"hostfile={path}: names no machine; write one line per machine, like 'node1 slots=4'");
        return new HostFile(hosts);
    }

    public HostFile Only(IEnumerable<string> hosts)
    {
        var keep = hosts.ToHashSet(StringComparer.Ordinal);
        return new HostFile(Hosts.Where(h => keep.Contains(h.Host)).ToList());
    }

    public void WriteTo(string path) => File.WriteAllLines(path, Hosts.Select(h => h.Line));

    /// <summary>
    /// The machines where Open MPI can still start a process, probed in parallel with <c>mpirun -np 1 --host H true</c> (so over the
    /// same remote agent, ssh or plm_rsh_agent, the job uses); a machine that does not answer within <paramref name="timeout"/> is gone.
    /// </summary>
    public List<string> Reachable(string mpirun, bool asRoot, TimeSpan timeout)
    {
        var probes = Hosts.Select(h => Task.Run(() => Answers(mpirun, h.Host, asRoot, timeout))).ToArray();
        Task.WaitAll(probes);
        return Hosts.Where((_, i) => probes[i].Result).Select(h => h.Host).ToList();
    }

    static bool Answers(string mpirun, string host, bool asRoot, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(mpirun) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-np", "1", "--host", host + ":1"]) psi.ArgumentList.Add(a);
        if (asRoot) psi.ArgumentList.Add("--allow-run-as-root");
        psi.ArgumentList.Add("true");
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEndAsync();
        p.StandardError.ReadToEndAsync();
        if (p.WaitForExit(timeout)) return p.ExitCode == 0;
        try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        return false;
    }
}
