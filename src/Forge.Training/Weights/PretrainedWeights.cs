using System.Globalization;
using Forge.Core.Config;
using Forge.Models;
using Forge.Models.Graph;
using Forge.Training.Checkpoints;
using static TorchSharp.torch;

namespace Forge.Training.Weights;

/// <summary>
/// A weights file opened for use: Forge's safetensors checkpoints and exports, and Ultralytics / PyTorch <c>.pt</c>
/// checkpoints (read without running code, see <see cref="TorchPickleReader"/>). The one loader behind
/// <c>train</c> (fine-tuning), <c>val</c>, <c>predict</c> and <c>export</c>: it gives the architecture, the class names, the
/// model state under Ultralytics' names (<c>model.0.conv.weight</c> ...) and, when recorded, the training image size.
/// Owns the tensors of <see cref="State"/>; dispose after building the model.
/// </summary>
public sealed class PretrainedWeights : IDisposable
{
    readonly IDisposable owner;

    public string Path { get; }
    /// <summary>"Forge safetensors" or "Ultralytics .pt".</summary>
    public string Format { get; }
    public ModelScale Architecture { get; }
    public int NumClasses { get; }
    public string[] Names { get; }
    /// <summary>Model parameters and buffers by state-dict name, in the file's dtype.</summary>
    public IReadOnlyDictionary<string, Tensor> State { get; }
    /// <summary>The settings the weights were trained with when the file records them (for .pt: the image size only).</summary>
    public ForgeConfig? TrainArgs { get; }
    /// <summary>Where in the file the weights came from ("ema", "model"), when it held more than one.</summary>
    public string? Taken { get; }
    public string? Date { get; }
    public string? Version { get; }

    PretrainedWeights(IDisposable owner, string path, string format, ModelScale arch, int nc, string[] names,
                      IReadOnlyDictionary<string, Tensor> state, ForgeConfig? trainArgs, string? taken, string? date, string? version)
    {
        this.owner = owner;
        Path = path;
        Format = format;
        Architecture = arch;
        NumClasses = nc;
        Names = names;
        State = state;
        TrainArgs = trainArgs;
        Taken = taken;
        Date = date;
        Version = version;
    }

    /// <summary>True for a name that means a weights file (.safetensors, .pt, .pth) or an existing file that is not a yaml.</summary>
    public static bool IsWeightsFile(string model)
    {
        var ext = System.IO.Path.GetExtension(model).ToLowerInvariant();
        return ext is ".safetensors" or ".pt" or ".pth" || (ext is not (".yaml" or ".yml") && File.Exists(model));
    }

    /// <summary>Opens <paramref name="path"/>: a zip written by torch.save is read as an Ultralytics checkpoint, anything else as safetensors.</summary>
    /// <exception cref="FileNotFoundException">No such file; the message says how to get one (Forge downloads nothing).</exception>
    /// <exception cref="InvalidDataException">A damaged file, a refused pickle, an unknown architecture.</exception>
    public static PretrainedWeights Load(string path)
    {
        if (!File.Exists(path)) throw Missing(path);
        return IsZip(path) ? LoadTorch(path) : LoadSafetensors(path);
    }

    static FileNotFoundException Missing(string path)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        bool known = ModelScale.TryParseName(stem, out _);
        return new FileNotFoundException(
            $"model={path}: file not found. Forge does not download weights (it never uses the network at run time). " +
            (known ? $"Download {System.IO.Path.GetFileName(path)} from Ultralytics' releases (https://github.com/ultralytics/assets/releases) on a machine with internet access and pass its path, or use model={stem} to train from scratch. "
                   : "Check the path. ") +
            "Forge reads Ultralytics .pt files directly and can convert one to safetensors: forge export model=file.pt format=safetensors.", path);
    }

    static bool IsZip(string path)
    {
        using var s = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return s.Read(magic) == 2 && magic[0] == 'P' && magic[1] == 'K'
               || System.IO.Path.GetExtension(path).ToLowerInvariant() is ".pt" or ".pth";
    }

    static PretrainedWeights LoadTorch(string path)
    {
        var reader = TorchPickleReader.Open(path);
        try
        {
            var c = UltralyticsCheckpoint.Interpret(reader.Root, path);
            return new PretrainedWeights(reader, path, "Ultralytics .pt", c.Architecture, c.NumClasses, c.Names, c.State, c.TrainArgs,
                                         c.Taken, c.Date, c.Version);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    static PretrainedWeights LoadSafetensors(string path)
    {
        var ckpt = Checkpoint.Load(path);
        try
        {
            var (arch, nc) = ArchitectureOf(ckpt, path);
            var names = ckpt.GetJson<string[]>("names") ?? Enumerable.Range(0, nc).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            return new PretrainedWeights(ckpt, path, "Forge safetensors", arch, nc, names, ckpt.Section(Checkpoint.ModelPrefix),
                                         CheckpointInfo.ReadTrainArgs(ckpt, path), null, ckpt.Get("date"), ckpt.Get("forge_version"));
        }
        catch
        {
            ckpt.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Architecture of a Forge file: the stored model yaml (<c>model_yaml</c>, with its scale) when present, else the
    /// architecture line of a built-in model ("yolov8n nc=80 reg_max=16 strides=8,16,32").
    /// </summary>
    public static (ModelScale Scale, int NumClasses) ArchitectureOf(Checkpoint ckpt, string path)
    {
        var arch = ckpt.Get("architecture") ?? throw new InvalidDataException($"{path}: no architecture in the metadata; was it written by Forge?");
        var (builtIn, nc) = ModelFactory.ParseArchitecture(arch, path, allowUnknownName: ckpt.Get("model_yaml") is not null);
        if (ckpt.Get("model_yaml") is not { } json) return (builtIn!, nc);
        var yaml = ModelYaml.Parse(json, $"{path} (model_yaml)", ModelYaml.FamilyOf(arch.Split(' ')[0]), textIsFile: false);
        return (ModelScale.Of(yaml, yaml.Scale), nc);
    }

    /// <summary>
    /// The detector the file describes with every tensor loaded (val, predict, export).
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape than the architecture gives.</exception>
    public YoloDetector CreateModel()
    {
        var model = new YoloDetector(Architecture, NumClasses);
        try
        {
            var report = ModelFactory.LoadMatching(model, State);
            if (report.Missing.Count > 0 || report.Skipped.Count > 0)
                throw new InvalidDataException($"{Path}: weights do not fit {model.Architecture}: {report.Describe()}");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>One line for the log: what was loaded (format, family, scale, classes, where the weights came from, date, version).</summary>
    public string Describe()
    {
        var parts = new List<string> { $"{Format}", $"{Architecture.Name} ({Architecture.Yaml.Family}{(Architecture.Key.Length > 0 ? $", scale {Architecture.Key}" : "")})", $"{NumClasses} classes" };
        var dtypes = State.Values.Where(t => t.is_floating_point()).Select(t => t.dtype).Distinct().ToList();
        if (dtypes.Count > 0) parts.Add(string.Join("/", dtypes.Select(d => d.ToString().ToLowerInvariant())));
        if (Taken is not null) parts.Add($"weights from '{Taken}'");
        if (Date is not null) parts.Add($"saved {Date}");
        if (Version is not null) parts.Add($"version {Version}");
        return $"{System.IO.Path.GetFileName(Path)}: {string.Join(", ", parts)}";
    }

    public void Dispose() => owner.Dispose();
}
