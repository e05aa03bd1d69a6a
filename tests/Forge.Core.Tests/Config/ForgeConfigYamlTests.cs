using Forge.Core.Config;

namespace Forge.Core.Tests.Config;

/// <summary>args.yaml writing and reading (<see cref="ForgeConfig.ToYaml"/>, <see cref="ForgeConfig.ApplyYaml"/>) and config comparison.</summary>
public sealed class ForgeConfigYamlTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-config-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string WriteYaml(string text, string file = "args.yaml")
    {
        var path = Path.Combine(dir, file);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A config in which every key differs from its default, strings full of yaml-significant characters.</summary>
    static ForgeConfig EveryKeyChanged()
    {
        var c = new ForgeConfig();
        foreach (var k in ConfigSchema.Keys)
        {
            object? v = k.Kind switch
            {
                ConfigValueKind.Bool => !(bool)k.Default!,
                ConfigValueKind.Int => k.Default is int i ? i + 3 : 3,
                // 0.1 has no exact binary form, so the sum checks that doubles are written with full precision.
                ConfigValueKind.Float => k.Default is double d ? d + 0.1 : 0.3,
                _ => $"{k.Name}: a value # with 'quotes', [brackets] & spaces",
            };
            c.With(k.Name, v);
        }
        return c;
    }

    [Fact]
    public void EveryKeySurvivesAYamlRoundTrip()
    {
        var original = EveryKeyChanged();
        Assert.Equal(ConfigSchema.Keys.Count, original.Differences(new ForgeConfig()).Count);

        var path = WriteYaml(original.ToYaml());
        var loaded = new ForgeConfig();
        loaded.ApplyYaml(path);

        Assert.Empty(original.Differences(loaded));
        foreach (var k in ConfigSchema.Keys)
        {
            Assert.Equal(original[k.Name], loaded[k.Name]);
            Assert.Equal(original[k.Name]?.GetType(), loaded[k.Name]?.GetType());
        }
    }

    [Fact]
    public void DefaultsSurviveAYamlRoundTripIncludingNulls()
    {
        var path = WriteYaml(new ForgeConfig().ToYaml());
        var loaded = EveryKeyChanged();
        loaded.ApplyYaml(path);
        Assert.Empty(loaded.Differences(new ForgeConfig()));
        Assert.Null(loaded.Conf);
        Assert.Null(loaded.Name);
        Assert.Null(loaded.Resume);
    }

    [Fact]
    public void ToYamlListsEveryKeyOnceInSchemaOrder()
    {
        var lines = new ForgeConfig().ToYaml().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ConfigSchema.Keys.Select(k => k.Name), lines.Select(l => l[..l.IndexOf(':')]));
        Assert.Contains("epochs: 100", lines);
        Assert.Contains("lr0: 0.01", lines);
        Assert.Contains("cos_lr: false", lines);
        Assert.Contains("conf: null", lines);
        Assert.Contains("name: null", lines);
        Assert.Contains("weight_decay: 0.0005", lines);
        Assert.Contains("project: runs/detect", lines);
    }

    [Theory]
    [InlineData("C:\\data\\my set.yaml")]
    [InlineData("a: b")]
    [InlineData("key:value")]
    [InlineData("my project")]
    [InlineData("#not a comment")]
    [InlineData("x #y")]
    [InlineData("it's")]
    [InlineData("\"double\" quotes")]
    [InlineData("[not, a, list]")]
    [InlineData("{not: a map}")]
    [InlineData("true")]
    [InlineData("no")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("123")]
    [InlineData("1e-3")]
    [InlineData("- dash")]
    [InlineData("-")]
    [InlineData("? question")]
    [InlineData("*star")]
    [InlineData("&amp")]
    [InlineData("!bang")]
    [InlineData("|pipe")]
    [InlineData(">gt")]
    [InlineData("%pct")]
    [InlineData("@at")]
    [InlineData("`tick")]
    [InlineData("tab\tinside")]
    [InlineData("ünïcødé/路径")]
    [InlineData("")]
    // Values are trimmed when set (like command-line text), so edge whitespace is not part of this round trip.
    public void StringsWithYamlSyntaxRoundTrip(string value)
    {
        var c = new ForgeConfig().With("project", value);
        Assert.Equal(value, c.Project);
        var loaded = new ForgeConfig();
        loaded.ApplyYaml(WriteYaml(c.ToYaml()));
        Assert.Equal(value, loaded.Project);
    }

    [Theory]
    [InlineData("runs/detect", "runs/detect")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("my project", "my project")]
    [InlineData("it's #1", "\"it's #1\"")]
    [InlineData("", "''")]
    [InlineData("0.5", "'0.5'")]
    [InlineData("true", "'true'")]
    [InlineData(" x", "' x'")]
    [InlineData("- x", "'- x'")]
    [InlineData("? x", "'? x'")]
    public void StringsAreQuotedOnlyWhereYamlNeedsIt(string value, string expected) => Assert.Equal(expected, FlatYaml.FormatScalar(value));

    [Fact]
    public void YamlValuesAreTypedLikeArguments()
    {
        var path = WriteYaml("epochs: 3.0\nimgsz: 320\nlr0: 0.02\ncos_lr: True\nname: 'exp: 1'\nconf: ~\n# a comment\nbatch: 8   # trailing comment\n");
        var c = new ForgeConfig().With("conf", 0.5);
        c.ApplyYaml(path);
        Assert.Equal(3, c.Epochs);
        Assert.Equal(320, c.ImgSize);
        Assert.Equal(0.02, c.Lr0);
        Assert.True(c.CosLr);
        Assert.Equal("exp: 1", c.Name);
        Assert.Null(c.Conf);
        Assert.Equal(8, c.Batch);
    }

    [Fact]
    public void EmptyYamlChangesNothing()
    {
        var c = new ForgeConfig();
        c.ApplyYaml(WriteYaml(""));
        Assert.Empty(c.Differences(new ForgeConfig()));
    }

    [Fact]
    public void UnknownKeyInYamlNamesTheFileAndSuggests()
    {
        var path = WriteYaml("epochs: 3\nepoch: 4\n");
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyYaml(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("did you mean 'epochs'?", e.Message);
    }

    [Fact]
    public void BadValueInYamlNamesTheFileAndKey()
    {
        var path = WriteYaml("epochs: many\n");
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyYaml(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'epochs'", e.Message);
        Assert.Contains("many", e.Message);
    }

    [Fact]
    public void MalformedYamlNamesFileAndLine()
    {
        var path = WriteYaml("epochs: 3\nbatch: [8\nimgsz: 320\n");
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyYaml(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("invalid yaml", e.Message);
    }

    [Fact]
    public void NestedValuesAndNonMappingsAreRejected()
    {
        var nested = WriteYaml("epochs: 3\nbatch:\n  - 8\n  - 16\n", "nested.yaml");
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyYaml(nested));
        Assert.Contains(nested, e.Message);
        Assert.Contains("'batch'", e.Message);

        var list = WriteYaml("- epochs\n- batch\n", "list.yaml");
        e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyYaml(list));
        Assert.Contains(list, e.Message);
        Assert.Contains("mapping", e.Message);
    }

    [Fact]
    public void MissingYamlFileIsAConfigError()
    {
        var path = Path.Combine(dir, "absent.yaml");
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyYaml(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DifferencesListsExactlyTheChangedKeysInSchemaOrder()
    {
        var a = new ForgeConfig();
        var b = a.Clone();
        Assert.Empty(a.Differences(b));

        b.ApplyArguments(["lr0=0.02", "epochs=3", "name=exp", "conf=0.5", "cos_lr=true"]);
        b.ApplyArguments(["batch=16"]);   // set, but to the same value: not a difference
        var diff = a.Differences(b);
        Assert.Equal(["name", "epochs", "lr0", "cos_lr", "conf"], diff.Select(d => d.Key.Name));
        Assert.Equal((null, "exp"), (diff[0].Mine, diff[0].Theirs));
        Assert.Equal((100, 3), ((int)diff[1].Mine!, (int)diff[1].Theirs!));
        Assert.Equal((0.01, 0.02), ((double)diff[2].Mine!, (double)diff[2].Theirs!));
        Assert.Equal((false, true), ((bool)diff[3].Mine!, (bool)diff[3].Theirs!));
        Assert.Equal((null, (object)0.5), (diff[4].Mine, diff[4].Theirs));
        Assert.True(diff[1].Key.AltersRun);
        Assert.False(diff[0].Key.AltersRun);

        // Symmetric: the other side sees the same keys with the values swapped.
        var back = b.Differences(a);
        Assert.Equal(diff.Select(d => d.Key.Name), back.Select(d => d.Key.Name));
        Assert.Equal(diff[1].Theirs, back[1].Mine);
    }

    [Fact]
    public void FormatValueWritesRoundTrippableNumbers()
    {
        Assert.Equal("0.1", ForgeConfig.FormatValue(0.1));
        Assert.Equal("0.30000000000000004", ForgeConfig.FormatValue(0.1 + 0.2));
        Assert.Equal("1E-05", ForgeConfig.FormatValue(1e-5));
        Assert.Equal("-1", ForgeConfig.FormatValue(-1));
        Assert.Equal("true", ForgeConfig.FormatValue(true));
        Assert.Equal("null", ForgeConfig.FormatValue(null));
        Assert.Equal("'a: b'", ForgeConfig.FormatValue("a: b"));
    }
}
