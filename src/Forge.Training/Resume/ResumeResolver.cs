using System.Text;
using Forge.Core.Config;
using Forge.Training.Reporting;

namespace Forge.Training.Resume;

/// <summary>
/// Turns resume= into a run folder and a configuration: the run's own settings, with what the user typed on top. A change
/// that would make the continued run a different run (model, data, imgsz, batch, optimizer, schedule, augmentation...) is
/// refused with a table of the differences unless resume_force=true; harmless ones (workers, device...) are accepted and listed.
/// </summary>
public static class ResumeResolver
{
    // Settings that belong to this invocation, not to the run: never compared.
    static readonly HashSet<string> InvocationKeys = new(StringComparer.Ordinal) { "resume", "resume_force", "project", "name", "exist_ok" };

    /// <summary>The run resume= points at: "true" = newest run in project with a last checkpoint; a run folder; its weights folder; a checkpoint file.</summary>
    public static RunFolder FindRunFolder(string resume, string project)
    {
        if (resume.Equals("true", StringComparison.OrdinalIgnoreCase) || resume == "1")
        {
            var newest = Directory.Exists(project)
                ? Directory.EnumerateDirectories(project).Select(d => new RunFolder(d))
                    .Where(r => r.HasLastCheckpoint)
                    .OrderByDescending(r => File.GetLastWriteTimeUtc(r.ArgsYaml))
                    .FirstOrDefault()
                : null;
            return newest ?? throw new FileNotFoundException($"resume=true: no run with weights/last.safetensors under {Path.GetFullPath(project)}; give resume=path/to/run");
        }
        if (File.Exists(resume) || Directory.Exists(resume)) return RunFolder.Of(resume);
        throw new FileNotFoundException($"resume={resume}: no such run folder or checkpoint", resume);
    }

    /// <summary>The run's saved settings with the user's explicit ones applied, after checking for drift.</summary>
    public static ForgeConfig Merge(ForgeConfig saved, ForgeConfig requested, TextWriter log)
    {
        var merged = saved.Clone();
        var refused = new List<(string Key, object? Saved, object? Requested)>();
        var accepted = new List<(string Key, object? Saved, object? Requested)>();
        foreach (var key in ConfigSchema.Keys)
        {
            if (InvocationKeys.Contains(key.Name) || !requested.IsSet(key.Name)) continue;
            object? was = saved[key.Name], now = requested[key.Name];
            if (Equals(was, now)) continue;
            if (key.AltersRun) refused.Add((key.Name, was, now));
            else accepted.Add((key.Name, was, now));
            merged.With(key.Name, now);
        }
        if (refused.Count > 0 && !requested.ResumeForce)
            throw new ConfigException("resuming with settings that change the run is refused (add resume_force=true to override):\n" + Table(refused));
        if (refused.Count > 0) log.WriteLine("WARNING: resume_force=true: continuing with changed settings:\n" + Table(refused));
        if (accepted.Count > 0) log.WriteLine("Resuming with changed settings that do not alter the run:\n" + Table(accepted));
        merged.With("resume", requested.Resume);
        return merged;
    }

    static string Table(List<(string Key, object? Saved, object? Requested)> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"    {"setting",-18}{"checkpoint",-22}{"requested",-22}");
        foreach (var (k, a, b) in rows) sb.AppendLine($"    {k,-18}{ForgeConfig.FormatValue(a),-22}{ForgeConfig.FormatValue(b),-22}");
        return sb.ToString().TrimEnd();
    }
}
