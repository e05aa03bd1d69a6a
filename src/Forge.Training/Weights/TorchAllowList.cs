namespace Forge.Training.Weights;

/// <summary>
/// The globals a PyTorch / Ultralytics checkpoint may name when Forge reads it (<see cref="PickleGuard"/>): tensor and
/// parameter rebuilders, storage types, plain containers, and the classes of PyTorch and Ultralytics modules, which become
/// inert dictionaries of their attributes. Everything else (os.system, builtins.eval, subprocess.Popen, ...) is refused.
/// </summary>
public static class TorchAllowList
{
    /// <summary>Functions Forge re-implements (never calls): storages become tensors, containers become .NET collections.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.Ordinal)
    {
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state", "torch._tensor._rebuild_from_type_v2",
        "collections.OrderedDict", "builtins.set", "__builtin__.set", "builtins.frozenset", "__builtin__.frozenset",
        "_codecs.encode", "builtins.bytearray", "__builtin__.bytearray",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
        "torch.device", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
    };

    /// <summary>Storage classes named in persistent ids (their element type decides the tensor dtype).</summary>
    public static readonly IReadOnlySet<string> Storages = new HashSet<string>(StringComparer.Ordinal)
    {
        "torch.DoubleStorage", "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
        "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage",
        "torch.UntypedStorage",
    };

    /// <summary>Classes whose instances are kept as inert attribute dictionaries (nothing of them runs).</summary>
    static readonly string[] ClassPrefixes = ["ultralytics.", "torch.nn.modules.", "torch.nn.parameter.", "torch.nn.intrinsic.", "torch.ao.nn."];
    static readonly HashSet<string> Classes = new(StringComparer.Ordinal)
    {
        "torch.Tensor", "torch.nn.parameter.Parameter", "torch.Size", "types.SimpleNamespace", "argparse.Namespace",
    };

    public static bool IsAllowed(string global) =>
        Functions.Contains(global) || Storages.Contains(global) || Classes.Contains(global) || IsModuleClass(global);

    /// <summary>True for PyTorch and Ultralytics classes read as inert data.</summary>
    public static bool IsModuleClass(string global) =>
        ClassPrefixes.Any(p => global.StartsWith(p, StringComparison.Ordinal)) && global.Split('.')[^1] is { Length: > 0 } n
        && char.IsUpper(n[0]);
}
