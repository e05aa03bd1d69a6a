namespace Forge.Data.Loading;

/// <summary>
/// Keeps a few arrays of exact lengths for reuse, so a long run does not allocate (and the GC does not sweep) megabytes of
/// batch images every step: the loader's uint8 batch images, validation's float copies for an ONNX model. At most
/// <see cref="MaxPerLength"/> arrays of each length are kept; more returned ones are dropped for the GC. Thread-safe.
/// </summary>
public sealed class ExactArrayPool<T>(int maxPerLength = 8) where T : unmanaged
{
    readonly Dictionary<int, Stack<T[]>> _free = [];
    readonly object _gate = new();

    public int MaxPerLength { get; } = maxPerLength;

    /// <summary>An array of exactly <paramref name="length"/> elements; its contents are whatever was there before.</summary>
    public T[] Rent(int length)
    {
        lock (_gate)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0) return stack.Pop();
        }
        return new T[length];
    }

    public void Return(T[] array)
    {
        lock (_gate)
        {
            if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<T[]>();
            if (stack.Count < MaxPerLength) stack.Push(array);
        }
    }

    /// <summary>Drops every held array (for the GC to take), e.g. when a validation pass with many batch shapes ends.
    /// Arrays rented before and returned afterwards are kept again as usual.</summary>
    public void Clear()
    {
        lock (_gate) _free.Clear();
    }

    /// <summary>Arrays currently held for reuse (all lengths).</summary>
    public int Available
    {
        get
        {
            lock (_gate)
            {
                int n = 0;
                foreach (var s in _free.Values) n += s.Count;
                return n;
            }
        }
    }
}
