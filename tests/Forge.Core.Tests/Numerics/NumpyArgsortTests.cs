using Forge.Core.Numerics;

namespace Forge.Core.Tests.Numerics;

/// <summary>
/// numpy.argsort (default quicksort) orders ties exactly as NumPy 1.24 does; expected orders printed by numpy 1.24.2
/// (Debian 12) for the same inputs. Ties matter: they decide which rectangular validation batch an image joins.
/// </summary>
public class NumpyArgsortTests
{
    [Fact]
    public void Ties_come_out_in_numpys_order()
    {
        var a = Enumerable.Range(0, 128).Select(i => (i * 7919L % 13) / 4.0).ToArray();
        Assert.Equal(new[] { 0,104,78,65,26,39,91,52,117,13,98,111,46,20,72,33,85,59,7,124,14,1,105,66,27,40,92,118,79,53,86,60,99,47,73,34,8,112,21,125,119,80,15,54,41,67,106,28,2,93,61,9,74,126,35,100,87,113,48,22,29,68,107,3,42,55,94,81,16,120,88,114,75,101,127,23,36,62,49,10,17,43,95,108,56,121,82,69,4,30,37,24,63,89,102,50,115,11,76,109,122,5,18,31,70,96,44,57,83,116,25,38,77,64,90,51,103,12,123,58,71,84,45,19,110,97,6,32 }, NumpyArgsort.Argsort(a));
        var b = Enumerable.Range(0, 300).Select(i => (double)(i * 104729L % 5)).ToArray();
        Assert.Equal(new[] { 0,35,225,130,220,40,215,80,210,135,45,205,200,100,50,195,140,190,55,185,75,180,145,60,175,150,170,65,165,155,160,230,70,235,295,290,95,5,285,105,280,10,275,110,270,125,265,90,15,25,115,20,30,255,85,250,120,260,240,245,104,154,139,134,109,119,144,114,124,129,199,164,294,289,284,279,274,269,264,259,254,249,244,239,234,229,224,219,214,209,204,194,189,184,179,174,169,159,99,149,49,74,69,64,59,54,44,79,39,29,24,19,14,9,4,34,84,299,89,94,118,223,38,108,218,213,43,93,228,203,98,198,193,53,188,183,58,178,173,48,33,233,238,293,3,288,283,8,278,273,13,63,103,263,18,258,253,23,248,243,28,268,168,208,113,153,83,138,78,128,158,73,123,163,133,148,143,298,88,68,27,137,242,37,107,237,32,142,247,77,232,227,67,257,132,297,2,292,87,287,7,122,282,102,277,12,272,127,267,17,262,82,222,22,252,217,97,152,72,197,62,172,192,202,47,177,112,207,92,52,162,167,212,147,187,57,117,42,182,157,276,126,116,181,271,11,111,41,176,66,296,1,166,291,101,86,121,286,6,171,266,281,61,161,16,131,186,146,91,76,221,36,226,211,141,206,46,31,236,201,151,106,241,196,261,156,96,216,256,21,56,71,251,81,136,246,26,51,191,231 }, NumpyArgsort.Argsort(b));
    }

    [Fact]
    public void Float32_confidences_sort_like_numpy_when_passed_as_doubles()
    {
        // -np.array([round(((i * 37) % 17) / 17, 2) for i in range(40)], dtype=np.float32)
        var c = Enumerable.Range(0, 40).Select(i => -(double)(float)Math.Round((i * 37 % 17) / 17.0, 2, MidpointRounding.ToEven)).ToArray();
        Assert.Equal(new[] { 11,28,22,5,39,33,16,10,27,21,38,4,32,15,9,26,3,20,37,14,31,8,25,36,19,2,13,30,7,24,18,35,1,29,12,23,6,17,34,0 }, NumpyArgsort.Argsort(c));
    }

    [Fact]
    public void A_large_array_matches_numpy_and_is_sorted()
    {
        var d = Enumerable.Range(0, 1000).Select(i => (i * 2654435761L % 1000) / 7.0).ToArray();
        var order = NumpyArgsort.Argsort(d);
        long checksum = 0;
        for (int k = 0; k < order.Length; k++) checksum = (checksum + (k + 1L) * order[k]) % 1000000007;
        Assert.Equal(250133000, checksum);   // sum((k + 1) * order[k]) mod 1e9+7 from numpy
        for (int k = 1; k < order.Length; k++) Assert.True(d[order[k - 1]] <= d[order[k]]);
        Assert.Equal(Enumerable.Range(0, 1000), order.Order());
    }

    [Fact]
    public void Nan_sorts_last_and_tiny_inputs_work()
    {
        Assert.Equal(new[] { 1, 2, 0 }, NumpyArgsort.Argsort([double.NaN, 1, 2]));
        Assert.Empty(NumpyArgsort.Argsort([]));
        Assert.Equal(new[] { 0 }, NumpyArgsort.Argsort([5]));
    }
}
