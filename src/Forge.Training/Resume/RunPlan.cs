using Forge.Core.Config;
using Forge.Core.Serialization;
using Forge.Data.Datasets;
using Forge.Training.Checkpoints;
using Forge.Training.Reporting;

namespace Forge.Training.Resume;

/// <summary>
/// What a training job is, decided once before anything is built: the settings (for resume=, the run's own with the user's
/// harmless overrides on top), the dataset, the run folder and the checkpoint to continue from (none for a fresh run).
/// The settings are validated here; they reach the run's args.yaml only once the run really trains (<see cref="WriteArgs"/>), and
/// a new run folder is removed again when the job fails before its first epoch (<see cref="DiscardNewRun"/>).
/// <para>Rank 0 decides, from its own disk, and sends the plan to the other ranks: the settings, the run folder's path, what
/// resume found (a moved dataset, more epochs) and the checkpoint's bytes. No rank reads another machine's disk, so the
/// machines of a job need no shared file system (the dataset must be at the same path on each, which
/// <see cref="TrainingSession"/> verifies). Only rank 0 creates, writes or removes the run folder.</para>
/// </summary>
public sealed class RunPlan : IDisposable
{
    public ForgeConfig Config { get; }
    /// <summary>The dataset rank 0 opened; null on the other ranks, which open theirs when the session starts.</summary>
    public DatasetSpec? Data { get; }
    public RunFolder Run { get; }
    /// <summary>The newest checkpoint that verifies, when resuming; owned by the plan until <see cref="TakeCheckpoint"/>.</summary>
    public Checkpoint? ResumeFrom { get; private set; }
    public string? ResumePath { get; }
    public bool Resuming => ResumePath is not null;
    /// <summary>Resuming with another data= than the run's: the run's own path, which the session reports once the fingerprints agree.</summary>
    public string? DataMovedFrom { get; private init; }
    /// <summary>resume= with more epochs than the run had: the run's own epoch count (a finished run then trains on).</summary>
    public int? ExtendedFromEpochs { get; private init; }
    /// <summary>The outermost folder this job created for a new run (the run folder, or runs/ when that was new too), or null.</summary>
    public string? CreatedFolder { get; private init; }

    RunPlan(ForgeConfig config, DatasetSpec? data, RunFolder run, Checkpoint? resumeFrom, string? resumePath)
    {
        (Config, Data, Run, ResumeFrom, ResumePath) = (config, data, run, resumeFrom, resumePath);
    }

    /// <summary>Decides the run for <paramref name="requested"/> settings; every rank calls it (rank 0 creates a new run folder).</summary>
    public static RunPlan Resolve(ForgeConfig requested, DataParallel ddp, TextWriter log)
    {
        RunPlan? plan = null;
        if (ddp.IsMain) plan = IsResume(requested.Resume) ? ForResume(requested, log) : ForNewRun(requested);
        return ddp.WorldSize > 1 ? Share(plan, ddp) : plan!;
    }

    /// <summary>
    /// Rank 0's plan on every rank: settings, paths and resume findings as text, the checkpoint as the bytes of its file.
    /// The folder this job created stays rank 0's alone (<see cref="DiscardNewRun"/>).
    /// </summary>
    static RunPlan Share(RunPlan? onMain, DataParallel ddp)
    {
        string message = ddp.FromMain(() => string.Join('\0', onMain!.Config.ToYaml(), onMain.Run.Path, onMain.ResumePath ?? "",
            onMain.DataMovedFrom ?? "", onMain.ExtendedFromEpochs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        byte[]? checkpoint = null;
        if (ddp.FromMain(onMain?.ResumePath is not null)) checkpoint = ddp.BroadcastBytes(ddp.IsMain ? File.ReadAllBytes(onMain!.ResumePath!) : null);
        if (ddp.IsMain) return onMain!;
        var parts = message.Split('\0');
        var cfg = new ForgeConfig();
        cfg.ApplyYamlText(parts[0], "rank 0's settings");
        string? resumePath = parts[2].Length > 0 ? parts[2] : null;
        var resumeFrom = checkpoint is null ? null : Checkpoint.FromBytes(checkpoint, $"{resumePath} (sent by rank 0)");
        return new RunPlan(cfg, null, new RunFolder(parts[1]), resumeFrom, resumePath)
        {
            DataMovedFrom = parts[3].Length > 0 ? parts[3] : null,
            ExtendedFromEpochs = parts[4].Length > 0 ? int.Parse(parts[4], System.Globalization.CultureInfo.InvariantCulture) : null,
        };
    }

    /// <summary>Writes the settings the run trains with to its args.yaml (rank 0), once it is certain to train.</summary>
    public void WriteArgs(DataParallel ddp)
    {
        if (ddp.IsMain) AtomicFile.WriteText(Run.ArgsYaml, Config.ToYaml());
    }

    /// <summary>
    /// After a failure before the first epoch: removes the run folder this job created (rank 0, the only rank that creates
    /// it), so the next attempt gets the same name instead of name2. Folders of resumed runs, and anything not created here, stay.
    /// </summary>
    public void DiscardNewRun(DataParallel ddp)
    {
        if (CreatedFolder is null || !ddp.IsMain || !Directory.Exists(CreatedFolder)) return;
        try { Directory.Delete(CreatedFolder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static bool IsResume(string? resume) => !string.IsNullOrEmpty(resume) && !resume.Equals("false", StringComparison.OrdinalIgnoreCase);

    static RunPlan ForNewRun(ForgeConfig requested)
    {
        var cfg = requested.Clone();
        ValidateForTraining(cfg);
        var data = DatasetResolver.Load(cfg.Data);   // before the run folder: a wrong data= leaves no empty folder behind
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "train", cfg.ExistOk, create: false);
        string? created = OutermostMissing(run.Path);   // what DiscardNewRun may remove again
        Directory.CreateDirectory(run.Path);
        cfg.Set("name", Path.GetFileName(run.Path), "run folder");
        return new RunPlan(cfg, data, run, null, null) { CreatedFolder = created };
    }

    static string? OutermostMissing(string path)
    {
        string? missing = null;
        for (var p = Path.GetFullPath(path); !string.IsNullOrEmpty(p) && !Directory.Exists(p); p = Path.GetDirectoryName(p)) missing = p;
        return missing;
    }

    static RunPlan ForResume(ForgeConfig requested, TextWriter log)
    {
        var run = ResumeResolver.FindRunFolder(requested.Resume!, requested.Project);
        var preferred = File.Exists(requested.Resume) ? new[] { Path.GetFullPath(requested.Resume!) } : null;
        using var store = new CheckpointStore(run, background: false);
        var (checkpoint, path) = store.LoadNewestValid(log, preferred);
        try
        {
            var saved = CheckpointInfo.ReadTrainArgs(checkpoint, path)
                        ?? throw new InvalidDataException($"{path}: no training arguments stored; cannot resume");
            ResumeResolver.RequireSavedData(saved, requested, path);
            var cfg = ResumeResolver.Merge(saved, requested, log);
            ValidateForTraining(cfg);
            string? movedFrom = cfg.Data != saved.Data ? saved.Data : null;
            return new RunPlan(cfg, DatasetResolver.Load(cfg.Data), run, checkpoint, path)
            {
                DataMovedFrom = movedFrom, ExtendedFromEpochs = cfg.Epochs > saved.Epochs ? saved.Epochs : null,
            };
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>Every setting against its declared rules.</summary>
    /// <exception cref="ConfigException">Naming the user's key.</exception>
    static void ValidateForTraining(ForgeConfig cfg) => cfg.Validate();

    /// <summary>Hands the resume checkpoint to the caller, who restores from it and disposes it (its tensors are large).</summary>
    public Checkpoint? TakeCheckpoint()
    {
        var c = ResumeFrom;
        ResumeFrom = null;
        return c;
    }

    public void Dispose() => ResumeFrom?.Dispose();
}
