namespace Forge.Data.Loading;

/// <summary>
/// Keeps a few float arrays of exact lengths for reuse, so a long run does not allocate (and the GC does not sweep)
/// tens of megabytes of batch images every step. Thread-safe.
/// </summary>
public sealed class FloatArrayPool(int maxPerLength = 8)
{
    readonly Dictionary<int, Stack<float[]>> _free = [];
    readonly object _gate = new();

    public int MaxPerLength { get; } = maxPerLength;

    /// <summary>An array of exactly <paramref name="length"/> floats; its contents are whatever was there before.</summary>
    public float[] Rent(int length)
    {
        lock (_gate)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0) return stack.Pop();
        }
        return new float[length];
    }

    public void Return(float[] array)
    {
        lock (_gate)
        {
            if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<float[]>();
            if (stack.Count < MaxPerLength) stack.Push(array);
        }
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
