using System.Collections;
using System.Globalization;
using Razorvine.Pickle;
using static TorchSharp.torch;

namespace Forge.Training.Weights;

/// <summary>
/// Forge's re-implementations of the callables <see cref="TorchAllowList"/> allows, registered with Razorvine.Pickle:
/// each builds plain data from its arguments (tensors from storages, dictionaries, tuples, strings) and calls nothing
/// from the file. Semantics follow torch/_utils.py (_rebuild_tensor_v2, _rebuild_parameter) and numpy's scalar pickling.
/// </summary>
public static class TorchObjects
{
    static readonly object gate = new();
    static bool registered;

    /// <summary>Registers the constructors (process-wide in Razorvine; idempotent).</summary>
    public static void Register()
    {
        lock (gate)
        {
            if (registered) return;
            Add("torch._utils", "_rebuild_tensor_v2", RebuildTensor);
            Add("torch._utils", "_rebuild_tensor", RebuildTensor);
            Add("torch._utils", "_rebuild_parameter", a => Arg<Tensor>(a, 0, "_rebuild_parameter"));
            Add("torch._utils", "_rebuild_parameter_with_state", a => Arg<Tensor>(a, 0, "_rebuild_parameter_with_state"));
            Add("torch._tensor", "_rebuild_from_type_v2", RebuildFromType);
            Add("collections", "OrderedDict", _ => new OrderedHashtable());
            Add("builtins", "frozenset", a => new HashSet<object?>(a.Length > 0 && a[0] is IEnumerable e ? e.Cast<object?>() : []));
            Add("__builtin__", "frozenset", a => new HashSet<object?>(a.Length > 0 && a[0] is IEnumerable e ? e.Cast<object?>() : []));
            Add("torch", "Size", a => a.Length > 0 && a[0] is object[] t ? t : Array.Empty<object>());
            Add("torch", "device", a => string.Join(":", a.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture))));
            foreach (var p in new[] { "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath" })
                Add("pathlib", p, a => string.Join("/", a.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture))));
            Add("numpy", "dtype", a => new NumpyDType(Convert.ToString(a.Length > 0 ? a[0] : "", CultureInfo.InvariantCulture)!));
            Add("numpy.core.multiarray", "scalar", NumpyScalar);
            Add("numpy._core.multiarray", "scalar", NumpyScalar);
            registered = true;
        }
    }

    static void Add(string module, string name, Func<object?[], object?> build) =>
        Unpickler.registerConstructor(module, name, new Constructor(build));

    sealed class Constructor(Func<object?[], object?> build) : IObjectConstructor
    {
        public object construct(object[] args) => build(args)!;
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    static object RebuildTensor(object?[] a)
    {
        var storage = Arg<TorchStorage>(a, 0, "_rebuild_tensor_v2");
        long offset = Convert.ToInt64(a[1], CultureInfo.InvariantCulture);
        var size = Longs(a[2]);
        var stride = Longs(a[3]);
        return storage.Reader.View(storage, offset, size, stride);
    }

    // _rebuild_from_type_v2(func, new_type, args, state): a tensor subclass; the tensor is func(*args).
    static object RebuildFromType(object?[] a)
    {
        if (a.Length < 3 || a[0] is not IObjectConstructor inner || a[2] is not object[] args)
            throw new PickleException("_rebuild_from_type_v2: unexpected arguments");
        return inner.construct(args);
    }

    static object NumpyScalar(object?[] a)
    {
        var dtype = Arg<NumpyDType>(a, 0, "numpy scalar");
        var bytes = a.Length > 1 ? a[1] as byte[] ?? (a[1] is string s ? s.Select(c => (byte)c).ToArray() : null) : null;
        if (bytes is null) throw new PickleException("numpy scalar without its bytes");
        return dtype.Code switch
        {
            "f8" => BitConverter.ToDouble(bytes),
            "f4" => (double)BitConverter.ToSingle(bytes),
            "i8" => BitConverter.ToInt64(bytes),
            "i4" => (long)BitConverter.ToInt32(bytes),
            "b1" => bytes[0] != 0,
            _ => throw new PickleException($"numpy scalar of dtype {dtype.Code} is not supported"),
        };
    }

    static T Arg<T>(object?[] a, int i, string what) =>
        a.Length > i && a[i] is T t ? t : throw new PickleException($"{what}: argument {i} is not a {typeof(T).Name}");

    static long[] Longs(object? tuple) => tuple switch
    {
        object[] t => t.Select(x => Convert.ToInt64(x, CultureInfo.InvariantCulture)).ToArray(),
        null => [],
        _ => throw new PickleException("tensor size or stride is not a tuple"),
    };

    /// <summary>The tensor dtype of a storage class named in a persistent id.</summary>
    public static ScalarType StorageDType(string storageClass, string source) => storageClass switch
    {
        "torch.DoubleStorage" => ScalarType.Float64,
        "torch.FloatStorage" => ScalarType.Float32,
        "torch.HalfStorage" => ScalarType.Float16,
        "torch.BFloat16Storage" => ScalarType.BFloat16,
        "torch.LongStorage" => ScalarType.Int64,
        "torch.IntStorage" => ScalarType.Int32,
        "torch.ShortStorage" => ScalarType.Int16,
        "torch.CharStorage" => ScalarType.Int8,
        "torch.ByteStorage" or "torch.UntypedStorage" => ScalarType.Byte,
        "torch.BoolStorage" => ScalarType.Bool,
        _ => throw new InvalidDataException($"{source}: storage type {storageClass} is not supported"),
    };
}

/// <summary>A Python OrderedDict: a Hashtable (what Razorvine's SETITEMS fills) that remembers insertion order.</summary>
public sealed class OrderedHashtable : Hashtable
{
    readonly List<object> order = new();

    public IEnumerable<object> OrderedKeys => order.Where(ContainsKey);

    public override object? this[object key]
    {
        get => base[key];
        set
        {
            if (!ContainsKey(key)) order.Add(key);
            base[key] = value;
        }
    }

    public override void Add(object key, object? value)
    {
        base.Add(key, value);
        order.Add(key);
    }

    /// <summary>OrderedDict's own pickled state (rare): items as a list of pairs.</summary>
    public void __setstate__(Hashtable state)
    {
        foreach (DictionaryEntry e in state) this[e.Key] = e.Value;
    }
}

/// <summary>A numpy dtype named in a pickle ("f8", "i4", ...); its pickled state is ignored.</summary>
public sealed class NumpyDType(string code)
{
    public string Code { get; } = code;
    public void __setstate__(object[] state) { }
}
