using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// Tensor arithmetic whose <see cref="Scalar"/> arguments stay alive until libtorch has finished with them.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 passes a Scalar's raw native handle to libtorch and frees the native scalar in the Scalar's finalizer.
/// A Scalar that nothing references any more can therefore be finalized by the GC (on another thread, at any allocation in
/// the process) while the native call that received it is still reading it; libtorch then reads freed memory and throws
/// "Expected false to be true ... Exception raised from toFloat", and the process aborts (exit 134). Such Scalars come
/// from implicit conversions at the call site (<c>t.mul_(0.9)</c>, <c>t.clamp_(min: 0)</c>) and from TorchSharp's own
/// convenience overloads, which build one internally: <c>a + b</c> and <c>add_(Tensor)</c> are <c>add(b, 1)</c>,
/// <c>add_(Scalar)</c> is <c>add_(s, 1)</c>, <c>square()</c> is <c>pow(2)</c>, <c>2 - t</c>, <c>t + 0.5</c>, <c>t * 4</c>
/// (TorchSharp issue/PRs #1434 and #1496). Forge therefore creates Scalars explicitly, either held in static fields (never
/// collected) or with <c>using</c> around the call (the Dispose after the call keeps them reachable), and calls the
/// overloads that take every Scalar explicitly. A test reads the IL of Forge's assemblies and fails on any call that
/// would make an unheld Scalar (tests/Forge.Training.Tests/Optimization/ScalarLifetimeTests.cs).
/// </remarks>
public static class HeldScalars
{
    /// <summary>Integer constants (valid for integer and floating tensors alike), rooted for the life of the process.</summary>
    public static readonly Scalar Zero = 0L.ToScalar(), One = 1L.ToScalar(), Two = 2L.ToScalar(), MinusOne = (-1L).ToScalar();

    /// <summary>
    /// The value of a one-element tensor of any dtype as a double. TorchSharp's <c>t.ToDouble()</c> is
    /// <c>t.ToScalar().ToDouble()</c> with the Scalar unheld (aborts in Scalar::toDouble when collected meanwhile).
    /// </summary>
    public static double AsDouble(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToDouble();
    }

    /// <summary>The value of a one-element tensor of any dtype as a float (held, see <see cref="AsDouble"/>).</summary>
    public static float AsSingle(this Tensor t)
    {
        using var s = t.ToScalar();
        return s.ToSingle();
    }

    /// <summary>A new Scalar for <paramref name="value"/>; the caller disposes it after the native calls that use it (<c>using var</c>).</summary>
    public static Scalar Of(double value) => value.ToScalar();

    /// <summary>A new integer Scalar; the caller disposes it (<c>using var</c>).</summary>
    public static Scalar Of(long value) => value.ToScalar();

    /// <summary>a + b (same shapes or broadcastable).</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a + s, every element.</summary>
    public static Tensor Plus(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.add(k, One);
    }

    /// <summary>a + s, every element, with an integer Scalar (keeps an integer tensor integer).</summary>
    public static Tensor Plus(this Tensor a, long s)
    {
        using var k = s.ToScalar();
        return a.add(k, One);
    }

    /// <summary>a - s, every element.</summary>
    public static Tensor Minus(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.sub(k);
    }

    /// <summary>s - a, every element (as TorchSharp's <c>s - a</c>: -a + s).</summary>
    public static Tensor SubtractedFrom(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        using var negated = a.negative();
        return negated.add(k, One);
    }

    /// <summary>a * s, every element.</summary>
    public static Tensor Times(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.mul(k);
    }

    /// <summary>a * s, every element, with an integer Scalar (keeps an integer tensor integer).</summary>
    public static Tensor Times(this Tensor a, long s)
    {
        using var k = s.ToScalar();
        return a.mul(k);
    }

    /// <summary>a / s, every element.</summary>
    public static Tensor Over(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.div(k);
    }

    /// <summary>a ^ p, every element.</summary>
    public static Tensor Power(this Tensor a, double p)
    {
        using var k = p.ToScalar();
        return a.pow(k);
    }

    /// <summary>In place: a += b * alpha.</summary>
    public static Tensor AddInPlace(this Tensor a, Tensor b, double alpha = 1)
    {
        if (alpha == 1) return a.add_(b, One);
        using var k = alpha.ToScalar();
        return a.add_(b, k);
    }

    /// <summary>In place: a += s.</summary>
    public static Tensor AddInPlace(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.add_(k, One);
    }

    /// <summary>In place: a *= s.</summary>
    public static Tensor MulInPlace(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.mul_(k);
    }

    /// <summary>In place: a /= s.</summary>
    public static Tensor DivInPlace(this Tensor a, double s)
    {
        using var k = s.ToScalar();
        return a.div_(k);
    }

    /// <summary>In place: a = min(max(a, min), max); a null bound is not applied.</summary>
    public static Tensor ClampInPlace(this Tensor a, double? min = null, double? max = null)
    {
        using var lo = min?.ToScalar();
        using var hi = max?.ToScalar();
        return a.clamp_(lo, hi);
    }

    /// <summary>min(max(a, min), max); a null bound is not applied.</summary>
    public static Tensor Clamped(this Tensor a, double? min = null, double? max = null)
    {
        using var lo = min?.ToScalar();
        using var hi = max?.ToScalar();
        return a.clamp(lo, hi);
    }

    /// <summary>0, 1, ..., <paramref name="count"/> - 1 as a 1-D tensor (torch.arange(n)).</summary>
    public static Tensor Arange(long count, ScalarType dtype, Device? device = null)
    {
        using var stop = count.ToScalar();
        return arange(Zero, stop, One, dtype, device);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/> (torch.full).</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using var k = value.ToScalar();
        return full(shape, k, dtype, device);
    }

    /// <summary>Fills <paramref name="a"/> with <paramref name="value"/> in place.</summary>
    public static Tensor FillInPlace(this Tensor a, double value)
    {
        using var k = value.ToScalar();
        return a.fill_(k);
    }
}
