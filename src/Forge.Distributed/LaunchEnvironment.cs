using System.Collections;
using System.Globalization;

namespace Forge.Distributed;

/// <summary>Which launcher started this process, as told by its environment variables.</summary>
public enum Launcher
{
    /// <summary>Started by hand: a single-process run.</summary>
    None,
    /// <summary><c>mpirun</c>/<c>mpiexec</c> of Open MPI (OMPI_COMM_WORLD_*).</summary>
    OpenMpi,
    /// <summary>A multi-task <c>srun</c> step (SLURM_*); MPI must reach it through PMIx: <c>srun --mpi=pmix</c>.</summary>
    Slurm,
    /// <summary>Another PMIx launcher (PMIX_RANK only).</summary>
    Pmix,
    /// <summary>A PMI-1/2 launcher such as Hydra (PMI_RANK, PMI_SIZE).</summary>
    Pmi,
}

/// <summary>
/// Rank and world layout read from the launcher's environment variables, before MPI is initialised (choosing a GPU by local rank
/// must happen before CUDA starts). Values a launcher does not publish are null; the communicator's values are authoritative.
/// </summary>
public sealed record LaunchEnvironment(Launcher Launcher, int Rank, int? WorldSize, int? LocalRank, int? LocalSize, int? NodeRank)
{
    /// <summary>True when a parallel launcher started this process, so the MPI communicator should be used.</summary>
    public bool IsMpiLaunch => Launcher != Launcher.None;

    public static LaunchEnvironment SingleProcess { get; } = new(Launcher.None, 0, 1, 0, 1, 0);

    /// <summary>Reads this process's environment.</summary>
    public static LaunchEnvironment Current()
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && e.Value is string v) vars[k] = v;
        return FromVariables(vars);
    }

    /// <summary>Parses a set of environment variables (the unit-testable core of <see cref="Current"/>).</summary>
    public static LaunchEnvironment FromVariables(IReadOnlyDictionary<string, string> vars)
    {
        LaunchEnvironment env;
        if (vars.ContainsKey("OMPI_COMM_WORLD_SIZE") || vars.ContainsKey("OMPI_COMM_WORLD_RANK"))
        {
            // Open MPI publishes no node index; under a Slurm allocation the step's SLURM_NODEID still names the node.
            env = new(Launcher.OpenMpi, Required(vars, "OMPI_COMM_WORLD_RANK"), Required(vars, "OMPI_COMM_WORLD_SIZE"),
                Optional(vars, "OMPI_COMM_WORLD_LOCAL_RANK"), Optional(vars, "OMPI_COMM_WORLD_LOCAL_SIZE"), Optional(vars, "SLURM_NODEID"));
        }
        else if (IsSlurmStep(vars, out int tasks))
        {
            int? node = Optional(vars, "SLURM_NODEID");
            string? perNode = Get(vars, "SLURM_STEP_TASKS_PER_NODE") ?? Get(vars, "SLURM_TASKS_PER_NODE");
            int? localSize = perNode is not null && node is int n ? TasksOnNode(perNode, n, "SLURM_STEP_TASKS_PER_NODE") : null;
            env = new(Launcher.Slurm, Required(vars, "SLURM_PROCID"), tasks, Optional(vars, "SLURM_LOCALID"), localSize, node);
        }
        else if (vars.ContainsKey("PMIX_RANK"))
        {
            env = new(Launcher.Pmix, Required(vars, "PMIX_RANK"), null, null, null, null);
        }
        else if (vars.ContainsKey("PMI_RANK"))
        {
            env = new(Launcher.Pmi, Required(vars, "PMI_RANK"), Optional(vars, "PMI_SIZE"),
                Optional(vars, "MPI_LOCALRANKID"), Optional(vars, "MPI_LOCALNRANKS"), null);
        }
        else return SingleProcess;
        env.Validate();
        return env;
    }

    // Inside an sbatch script SLURM_PROCID=0 and SLURM_NTASKS=N are set for the batch shell itself; only srun steps set
    // SLURM_STEP_NUM_TASKS, so that marks a real parallel launch.
    static bool IsSlurmStep(IReadOnlyDictionary<string, string> vars, out int tasks)
    {
        tasks = 0;
        if (!vars.ContainsKey("SLURM_PROCID") || Optional(vars, "SLURM_STEP_NUM_TASKS") is not int n) return false;
        tasks = n;
        return n > 1;
    }

    /// <summary>Expands Slurm's compressed tasks-per-node list ("2(x3),1" = 2,2,2,1) and returns the entry for <paramref name="node"/>.</summary>
    internal static int TasksOnNode(string list, int node, string variable)
    {
        int index = 0;
        foreach (var rawPart in list.Split(','))
        {
            var part = rawPart.Trim();
            int repeat = 1;
            int paren = part.IndexOf('(');
            string countText = part;
            if (paren >= 0)
            {
                if (!part.EndsWith(')') || part.Length < paren + 4 || part[paren + 1] != 'x'
                    || !int.TryParse(part.AsSpan(paren + 2, part.Length - paren - 3), NumberStyles.None, CultureInfo.InvariantCulture, out repeat))
                    throw new FormatException($"environment variable {variable}='{list}': cannot read '{part}' (expected N or N(xK))");
                countText = part[..paren];
            }
            if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
                throw new FormatException($"environment variable {variable}='{list}': cannot read '{part}' (expected N or N(xK))");
            if (node < index + repeat) return count;
            index += repeat;
        }
        throw new FormatException($"environment variable {variable}='{list}' lists {index} node(s) but SLURM_NODEID is {node}");
    }

    void Validate()
    {
        if (Rank < 0 || (WorldSize is int w && (w < 1 || Rank >= w)))
            throw new FormatException($"{Launcher} launch environment is inconsistent: rank {Rank} with world size {WorldSize}");
        if (LocalRank is int lr && (lr < 0 || (LocalSize is int ls && (ls < 1 || lr >= ls))))
            throw new FormatException($"{Launcher} launch environment is inconsistent: local rank {lr} with local size {LocalSize}");
    }

    static string? Get(IReadOnlyDictionary<string, string> vars, string name)
        => vars.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    static int Required(IReadOnlyDictionary<string, string> vars, string name)
        => Optional(vars, name) ?? throw new FormatException($"environment variable {name} is missing; the launcher set only part of its variables");

    static int? Optional(IReadOnlyDictionary<string, string> vars, string name)
    {
        var text = Get(vars, name);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)) return v;
        throw new FormatException($"environment variable {name}='{text}' is not an integer");
    }
}
