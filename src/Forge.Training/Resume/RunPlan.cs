using Forge.Core.Config;
using Forge.Core.Serialization;
using Forge.Data.Datasets;
using Forge.Training.Checkpoints;
using Forge.Training.Reporting;

namespace Forge.Training.Resume;

/// <summary>
/// What a training job is, decided once before anything is built: the settings (for resume=, the run's own with the user's
/// harmless overrides on top), the dataset, the run folder and the checkpoint to continue from (none for a fresh run).
/// The settings are validated and written to the run's args.yaml (rank 0).
/// <para>Rank 0 decides, from its own disk, and sends the plan to the other ranks: the settings, the run folder's path and the
/// checkpoint's bytes. No rank reads another machine's disk, so the machines of a job need no shared file system (the dataset
/// must be at the same path on each, which <see cref="TrainingSession"/> verifies).</para>
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

    RunPlan(ForgeConfig config, DatasetSpec? data, RunFolder run, Checkpoint? resumeFrom, string? resumePath)
    {
        (Config, Data, Run, ResumeFrom, ResumePath) = (config, data, run, resumeFrom, resumePath);
    }

    /// <summary>Decides the run for <paramref name="requested"/> settings; every rank calls it (rank 0 creates a new run folder).</summary>
    public static RunPlan Resolve(ForgeConfig requested, DataParallel ddp, TextWriter log)
    {
        RunPlan? plan = null;
        if (ddp.IsMain) plan = IsResume(requested.Resume) ? ForResume(requested, log) : ForNewRun(requested);
        if (ddp.WorldSize > 1) plan = Share(plan, ddp);
        if (ddp.IsMain) AtomicFile.WriteText(plan!.Run.ArgsYaml, plan.Config.ToYaml());
        return plan!;
    }

    /// <summary>Rank 0's plan on every rank: settings and paths as text, the checkpoint as the bytes of its file.</summary>
    static RunPlan Share(RunPlan? onMain, DataParallel ddp)
    {
        string message = ddp.FromMain(() => string.Join('\0', onMain!.Config.ToYaml(), onMain.Run.Path, onMain.ResumePath ?? ""));
        byte[]? checkpoint = null;
        if (ddp.FromMain(onMain?.ResumePath is not null)) checkpoint = ddp.BroadcastBytes(ddp.IsMain ? File.ReadAllBytes(onMain!.ResumePath!) : null);
        if (ddp.IsMain) return onMain!;
        var parts = message.Split('\0');
        var cfg = new ForgeConfig();
        cfg.ApplyYamlText(parts[0], "rank 0's settings");
        string? resumePath = parts[2].Length > 0 ? parts[2] : null;
        var resumeFrom = checkpoint is null ? null : Checkpoint.FromBytes(checkpoint, $"{resumePath} (sent by rank 0)");
        return new RunPlan(cfg, null, new RunFolder(parts[1]), resumeFrom, resumePath);
    }

    static bool IsResume(string? resume) => !string.IsNullOrEmpty(resume) && !resume.Equals("false", StringComparison.OrdinalIgnoreCase);

    static RunPlan ForNewRun(ForgeConfig requested)
    {
        var cfg = requested.Clone();
        ValidateForTraining(cfg);
        var data = DatasetResolver.Load(cfg.Data);   // before the run folder: a wrong data= leaves no empty folder behind
        var run = RunFolder.Create(cfg.Project, cfg.Name ?? "train", cfg.ExistOk);
        cfg.Set("name", Path.GetFileName(run.Path), "run folder");
        return new RunPlan(cfg, data, run, null, null);
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
            var cfg = ResumeResolver.Merge(saved, requested, log);
            ValidateForTraining(cfg);
            return new RunPlan(cfg, DatasetResolver.Load(cfg.Data), run, checkpoint, path);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>Every setting against its declared rules, then what training in particular cannot do.</summary>
    /// <exception cref="ConfigException">Naming the user's key.</exception>
    static void ValidateForTraining(ForgeConfig cfg)
    {
        cfg.Validate();
        if (cfg.Rect)
            throw new ConfigException("rect=true: rectangular training batches are not supported; validation during training always uses " +
                                      "rectangular batches like Ultralytics' (rect=false in 'forge val' gives square ones)");
    }

    /// <summary>Hands the resume checkpoint to the caller, who restores from it and disposes it (its tensors are large).</summary>
    public Checkpoint? TakeCheckpoint()
    {
        var c = ResumeFrom;
        ResumeFrom = null;
        return c;
    }

    public void Dispose() => ResumeFrom?.Dispose();
}
