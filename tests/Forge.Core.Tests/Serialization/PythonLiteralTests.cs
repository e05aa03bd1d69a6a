using Forge.Core.Serialization;

namespace Forge.Core.Tests.Serialization;

public sealed class PythonLiteralTests
{
    [Theory]
    [InlineData(null, "None")]
    [InlineData(true, "True")]
    [InlineData(false, "False")]
    [InlineData(32, "32")]
    [InlineData(-7L, "-7")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.0, "1.0")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(1.5e20, "1.5e+20")]
    [InlineData("person", "'person'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("a'b\"c", "'a\\'b\"c'")]
    [InlineData("back\\slash\nline\ttab", "'back\\\\slash\\nline\\ttab'")]
    [InlineData("café 東京", "'café 東京'")]
    [InlineData("\u0001", "'\\x01'")]
    public void Scalars_print_as_Python_str_prints_them(object? value, string expected) =>
        Assert.Equal(expected, PythonLiteral.Format(value));

    [Fact]
    public void Containers_print_as_Python_str_prints_them()
    {
        Assert.Equal("[640, 640]", PythonLiteral.Format(new[] { 640, 640 }));
        Assert.Equal("{0: 'person', 1: 'bicycle'}", PythonLiteral.Format(new Dictionary<int, string> { [0] = "person", [1] = "bicycle" }));
        Assert.Equal("{'batch': 1, 'dynamic': False, 'opset': None}",
                     PythonLiteral.Format(new Dictionary<string, object?> { ["batch"] = 1, ["dynamic"] = false, ["opset"] = null }));
        Assert.Equal("{}", PythonLiteral.Format(new Dictionary<int, string>()));
    }

    [Theory]
    [InlineData("{0: 'person', 1: \"it's\", 2: 'a\\'b'}", new[] { "person", "it's", "a'b" })]
    [InlineData("{1: 'b', 0: 'a'}", new[] { "a", "b" })]
    [InlineData("['x', 'y']", new[] { "x", "y" })]
    [InlineData("{0: 'caf\\xe9', 1: '\\u6771'}", new[] { "café", "東" })]
    public void Names_parse_from_a_dict_or_a_list(string text, string[] expected) =>
        Assert.Equal(expected, PythonLiteral.ParseNames(text));

    [Fact]
    public void Formatting_then_parsing_gives_the_value_back()
    {
        var names = new Dictionary<int, string> { [0] = "it's", [1] = "\"quoted\"", [2] = "tab\there", [3] = "\\", [4] = "東京" };
        Assert.Equal(names.Values, PythonLiteral.ParseNames(PythonLiteral.Format(names)));
        var args = (Dictionary<object, object?>)PythonLiteral.Parse("{'batch': 16, 'half': False, 'opset': None, 'lr': 0.01, 't': (1, 2), 'e': 1e-05}")!;
        Assert.Equal(16L, args["batch"]);
        Assert.Equal(false, args["half"]);
        Assert.Null(args["opset"]);
        Assert.Equal(0.01, args["lr"]);
        Assert.Equal([1L, 2L], (List<object?>)args["t"]!);
        Assert.Equal(1e-5, args["e"]);
        Assert.Equal([480L, 640], PythonLiteral.ParseIntList("(480, 640)"));
    }

    [Theory]
    [InlineData("{0: 'a'")]
    [InlineData("{0: 'a', 0: 'b'}")]
    [InlineData("[1, 2] x")]
    [InlineData("'unterminated")]
    [InlineData("{0: 'a', 2: 'c'}")]
    [InlineData("print('x')")]
    public void Malformed_or_unexpected_text_is_a_format_error_with_a_position(string text)
    {
        var e = Assert.Throws<FormatException>(() => PythonLiteral.ParseNames(text));
        Assert.False(string.IsNullOrEmpty(e.Message));
    }
}
