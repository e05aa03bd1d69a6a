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

    /// <summary>
    /// The run's saved settings with the user's explicit ones applied, after checking for drift. Two changes that alter the run
    /// are nevertheless accepted, because they are how people continue a run: more epochs (the run is extended and its LR
    /// schedule re-planned to the new length, said in one line) and another data= path (a dataset that moved: the session then
    /// requires its data fingerprint to equal the checkpoint's).
    /// </summary>
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
            if (key.AltersRun && !Continues(key.Name, was, now)) refused.Add((key.Name, was, now));
            else accepted.Add((key.Name, was, now));
            merged.With(key.Name, now);
        }
        if (refused.Count > 0 && !requested.ResumeForce)
            throw new ConfigException("resuming with settings that change the run is refused (add resume_force=true to override):\n" + Table(refused));
        if (refused.Count > 0) log.WriteLine("WARNING: resume_force=true: continuing with changed settings:\n" + Table(refused));
        accepted.RemoveAll(r => r.Key is "epochs" or "data");
        if (accepted.Count > 0) log.WriteLine("Resuming with changed settings that do not alter the run:\n" + Table(accepted));
        if (merged.Epochs > saved.Epochs)
            log.WriteLine($"Extending the run from {saved.Epochs} to {merged.Epochs} epochs: the learning-rate schedule is re-planned for " +
                          $"{merged.Epochs} epochs ({(merged.CosLr ? "cosine" : "linear")} to lrf={merged.Lrf} at epoch {merged.Epochs}).");
        merged.With("resume", requested.Resume);
        return merged;
    }

    // More epochs extend the run; another data= path is checked by its fingerprint when the data is indexed.
    static bool Continues(string key, object? was, object? now) =>
        key == "epochs" && (int)now! > (int)was! || key == "data";

    /// <summary>
    /// The saved data= no longer exists and none was given: an error that says where the path came from and what to pass.
    /// </summary>
    public static void RequireSavedData(ForgeConfig saved, ForgeConfig requested, string checkpoint)
    {
        if (requested.IsSet("data") || saved.Data.Equals(DatasetResolver.BuiltinShapes, StringComparison.OrdinalIgnoreCase)) return;
        if (File.Exists(saved.Data) || Directory.Exists(saved.Data)) return;
        throw new FileNotFoundException(
            $"data={saved.Data} (from the run's saved settings in {checkpoint}) no longer exists. If the dataset moved, pass its new " +
            "place: forge train resume=... data=NEW/data.yaml (accepted when its images and labels are the same as the run's).", saved.Data);
    }

    // Columns as wide as their longest cell, two spaces apart, so long values (paths) never run together.
    static string Table(List<(string Key, object? Saved, object? Requested)> rows)
    {
        var cells = rows.Select(r => (r.Key, Saved: ForgeConfig.FormatValue(r.Saved), Requested: ForgeConfig.FormatValue(r.Requested))).ToList();
        int w1 = Math.Max("setting".Length, cells.Max(c => c.Key.Length)) + 2;
        int w2 = Math.Max("checkpoint".Length, cells.Max(c => c.Saved.Length)) + 2;
        var sb = new StringBuilder();
        sb.AppendLine($"    {"setting".PadRight(w1)}{"checkpoint".PadRight(w2)}requested");
        foreach (var (k, a, b) in cells) sb.AppendLine($"    {k.PadRight(w1)}{a.PadRight(w2)}{b}");
        return sb.ToString().TrimEnd();
    }
}
