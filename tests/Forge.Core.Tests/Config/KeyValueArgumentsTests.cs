using Forge.Core.Config;

namespace Forge.Core.Tests.Config;

public class KeyValueArgumentsTests
{
    [Fact]
    public void SplitsAtTheFirstEqualsSignAndNormalisesKeys()
    {
        var pairs = KeyValueArguments.Parse(["epochs=3", "--cos-lr=true", " name = a=b ", "-x="], "see help");
        Assert.Equal([("epochs", "3"), ("cos_lr", "true"), ("name", "a=b"), ("x", "")], pairs);
    }

    [Theory]
    [InlineData("epochs")]
    [InlineData("=3")]
    [InlineData("--=3")]
    public void ArgumentsWithoutKeyAreRejectedWithTheHelp(string arg)
    {
        var e = Assert.Throws<ConfigException>(() => KeyValueArguments.Parse([arg], "see 'forge help'"));
        Assert.Contains($"'{arg}' is not of the form key=value", e.Message);
        Assert.EndsWith("see 'forge help'", e.Message);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("On", true)]
    [InlineData("1", true)]
    [InlineData("no", false)]
    [InlineData("FALSE", false)]
    public void BooleansInTheirUsualSpellings(string raw, bool expected)
    {
        Assert.True(KeyValueArguments.TryParseBool(raw, out bool value));
        Assert.Equal(expected, value);
        Assert.False(KeyValueArguments.TryParseBool("maybe", out _));
    }

    [Fact]
    public void NumbersAreInvariantAndFinite()
    {
        Assert.True(KeyValueArguments.TryParseInt("1e2", out int i) && i == 100);
        Assert.False(KeyValueArguments.TryParseInt("3.5", out _));
        Assert.False(KeyValueArguments.TryParseInt("1e20", out _));
        Assert.True(KeyValueArguments.TryParseDouble("2.5e-3", out double d) && d == 0.0025);
        Assert.False(KeyValueArguments.TryParseDouble("NaN", out _));
        Assert.False(KeyValueArguments.TryParseDouble("2,5", out _));
    }

    [Fact]
    public void ClosestKeyIsWithinAFewEdits()
    {
        string[] keys = ["epochs", "batch", "warmup_bias_lr"];
        Assert.Equal("epochs", KeyValueArguments.Closest("EPOCH", keys));
        Assert.Equal("warmup_bias_lr", KeyValueArguments.Closest("warmup_bias_l", keys));
        Assert.Null(KeyValueArguments.Closest("qqqqqqqq", keys));
        Assert.Equal(3, KeyValueArguments.EditDistance("kitten", "sitting"));
    }
}
