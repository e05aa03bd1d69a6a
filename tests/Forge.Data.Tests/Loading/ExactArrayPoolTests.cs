using Forge.Data.Loading;

namespace Forge.Data.Tests.Loading;

public class ExactArrayPoolTests
{
    [Fact]
    public void A_returned_array_is_rented_again_for_its_exact_length_only()
    {
        var pool = new ExactArrayPool<byte>(maxPerLength: 2);
        var a = pool.Rent(12);
        Assert.Equal(12, a.Length);
        pool.Return(a);
        Assert.Equal(1, pool.Available);
        var other = pool.Rent(13);
        Assert.NotSame(a, other);
        Assert.Equal(13, other.Length);
        Assert.Same(a, pool.Rent(12));
        Assert.Equal(0, pool.Available);
    }

    [Fact]
    public void It_keeps_at_most_MaxPerLength_arrays_of_each_length()
    {
        var pool = new ExactArrayPool<float>(maxPerLength: 2);
        var arrays = Enumerable.Range(0, 3).Select(_ => pool.Rent(5)).ToList();
        foreach (var a in arrays) pool.Return(a);
        pool.Return(pool.Rent(7));
        Assert.Equal(3, pool.Available);
        var again = new[] { pool.Rent(5), pool.Rent(5), pool.Rent(5) };
        Assert.Equal(2, again.Count(a => arrays.Any(kept => ReferenceEquals(kept, a))));
    }

    [Fact]
    public void Clear_drops_what_is_held_and_the_pool_keeps_working()
    {
        var pool = new ExactArrayPool<byte>();
        var a = pool.Rent(4);
        var b = pool.Rent(8);
        pool.Return(a);
        pool.Return(b);
        pool.Clear();
        Assert.Equal(0, pool.Available);
        Assert.NotSame(a, pool.Rent(4));
        pool.Return(a);
        Assert.Same(a, pool.Rent(4));
    }
}
