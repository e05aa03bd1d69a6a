namespace Forge.Distributed.Harness;

/// <summary>Scenario assertions: a failure throws, which aborts the MPI job with the message.</summary>
internal static class Expect
{
    public static void True(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException("check failed: " + what);
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new InvalidOperationException($"check failed: {what}: expected {expected}, got {actual}");
    }

    public static void SequenceEqual<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : IEquatable<T>
    {
        if (expected.Length != actual.Length)
            throw new InvalidOperationException($"check failed: {what}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].Equals(actual[i]))
                throw new InvalidOperationException($"check failed: {what}: at [{i}] expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>Same shape and byte-identical contents.</summary>
    public static bool BitEqual(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b)
        => a.shape.SequenceEqual(b.shape) && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    public static void Throws<TException>(Action action, string what) where TException : Exception
    {
        try { action(); }
        catch (TException) { return; }
        throw new InvalidOperationException($"check failed: {what}: expected {typeof(TException).Name}");
    }
}
