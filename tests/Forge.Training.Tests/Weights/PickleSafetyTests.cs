using System.Collections;
using System.IO.Compression;
using Forge.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Weights;

/// <summary>
/// Reading .pt files never runs code: every global the pickle names is checked against an allow-list before anything is
/// unpickled, and damaged archives give errors that say what is wrong.
/// </summary>
public sealed class PickleSafetyTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-pickle-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Archive(string name, byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null)
    {
        var path = Path.Combine(dir, name);
        PickleBuilder.WriteArchive(path, pickle, storages);
        return path;
    }

    // The classic payloads: os.system("touch CANARY") through REDUCE, builtins.eval through INST, subprocess.Popen
    // through protocol 4's STACK_GLOBAL with memoized names. Were any of them run, the canary file would exist.
    [Theory]
    [InlineData("reduce", "os.system")]
    [InlineData("reduce", "posix.system")]
    [InlineData("inst", "builtins.eval")]
    [InlineData("stack_global", "subprocess.Popen")]
    [InlineData("reduce", "builtins.exec")]
    public void MaliciousPickleIsRefusedNamingTheGlobal(string how, string global)
    {
        var canary = Path.Combine(dir, "CANARY");
        var (module, name) = (global[..global.LastIndexOf('.')], global[(global.LastIndexOf('.') + 1)..]);
        var p = new PickleBuilder(how == "stack_global" ? 4 : 2);
        switch (how)
        {
            case "reduce": p.Global(module, name).Mark().Str($"touch {canary}").Tuple().Reduce(); break;
            case "inst": p.Mark().Str($"open('{canary}', 'w')").Inst(module, name); break;
            default: p.ShortStr(module).Memoize().ShortStr(name).Memoize().StackGlobal().Mark().Mark().Str("touch").Str(canary).Op('l').Tuple().Reduce(); break;
        }
        var path = Archive("evil.pt", p.Stop().ToArray());

        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(path));
        Assert.Contains("refused", e.Message);
        Assert.Contains(global, e.Message);
        Assert.Contains(path, e.Message);
        Assert.False(File.Exists(canary));
    }

    [Fact]
    public void AGlobalWhoseNameIsHiddenFromTheCheckIsRefused()
    {
        // STACK_GLOBAL on names the guard cannot read off the stack (here a DUP between them) is refused, not guessed.
        var p = new PickleBuilder(4).ShortStr("os").ShortStr("system").Dup().Op('0').StackGlobal().Stop();
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(Archive("hidden.pt", p.ToArray())));
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public void TheExtensionRegistryIsRefused()
    {
        var p = new PickleBuilder().Op(0x82).Op(1).Stop();
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(Archive("ext.pt", p.ToArray())));
        Assert.Contains("extension registry", e.Message);
    }

    [Fact]
    public void StorageViewsKeepOffsetsStridesAndDtypes()
    {
        // One float32 storage of 6 values viewed as a transposed 2x2 from offset 1, a float16 and a bfloat16 vector.
        var floats = new float[] { 0, 1, 2, 3, 4, 5 };
        var storages = new Dictionary<string, byte[]>
        {
            ["0"] = floats.SelectMany(BitConverter.GetBytes).ToArray(),
            ["1"] = new Half[] { (Half)1.5, (Half)(-2) }.SelectMany(h => BitConverter.GetBytes(h)).ToArray(),
            ["2"] = new byte[] { 0x80, 0x3f, 0x40, 0xc0 },   // bfloat16 1.0, -3.0
        };
        var p = new PickleBuilder().EmptyDict().Mark()
            .Str("view").Tensor("FloatStorage", "0", 6, 1, [2, 2], [1, 2])
            .Str("same").Tensor("FloatStorage", "0", 6, 0, [6], [1])
            .Str("half").Tensor("HalfStorage", "1", 2, 0, [2], [1])
            .Str("bf16").Tensor("BFloat16Storage", "2", 2, 0, [2], [1])
            .SetItems().Stop();
        using var reader = TorchPickleReader.Open(Archive("views.pt", p.ToArray(), storages));
        var root = Assert.IsAssignableFrom<IDictionary>(reader.Root);
        var view = (Tensor)root["view"]!;
        Assert.Equal(new long[] { 2, 2 }, view.shape);
        Assert.Equal(new float[] { 1, 3, 2, 4 }, view.contiguous().data<float>().ToArray());
        Assert.Equal(floats, ((Tensor)root["same"]!).data<float>().ToArray());
        Assert.Equal(ScalarType.Float16, ((Tensor)root["half"]!).dtype);
        Assert.Equal(new float[] { 1.5f, -2f }, ((Tensor)root["half"]!).to(float32).data<float>().ToArray());
        Assert.Equal(ScalarType.BFloat16, ((Tensor)root["bf16"]!).dtype);
        Assert.Equal(new float[] { 1f, -3f }, ((Tensor)root["bf16"]!).to(float32).data<float>().ToArray());
    }

    [Fact]
    public void AViewBeyondItsStorageIsAnError()
    {
        var p = new PickleBuilder().Tensor("FloatStorage", "0", 4, 2, [2, 2], [2, 1]).Stop();
        var path = Archive("beyond.pt", p.ToArray(), new Dictionary<string, byte[]> { ["0"] = new byte[16] });
        var e = Assert.Throws<InvalidDataException>(() => TorchPickleReader.Open(path).Dispose());
        Assert.Contains("data/0", e.Message);
    }

    [Fact]
    public void ATruncatedPtFileIsAClearError()
    {
        var source = File.ReadAllBytes(Path.Combine(FixturePaths.Ultralytics, "tiny-yolov8.pt"));
        foreach (double fraction in new[] { 0.6, 0.99 })
        {
            var path = Path.Combine(dir, $"truncated-{fraction}.pt");
            File.WriteAllBytes(path, source[..(int)(source.Length * fraction)]);
            var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(path));
            Assert.StartsWith(path, e.Message);
            Assert.Contains("truncated or damaged", e.Message);
        }
    }

    [Fact]
    public void AMissingStorageIsNamed()
    {
        var path = Path.Combine(dir, "missing-storage.pt");
        File.Copy(Path.Combine(FixturePaths.Ultralytics, "tiny-yolov8.pt"), path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            zip.Entries.Single(e => e.FullName.EndsWith("/data/7", StringComparison.Ordinal)).Delete();
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(path));
        Assert.Contains("data/7", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void OtherFilesAreNamedForWhatTheyAre()
    {
        var notZip = Path.Combine(dir, "text.pt");
        File.WriteAllText(notZip, "hello");
        Assert.Contains("not a PyTorch checkpoint", Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(notZip)).Message);
        var legacy = Path.Combine(dir, "legacy.pt");
        File.WriteAllBytes(legacy, new PickleBuilder().Int(119547037).Stop().ToArray());
        Assert.Contains("legacy", Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(legacy)).Message);
        var stateDict = Archive("state_dict.pt", new PickleBuilder().EmptyDict().Str("w").Tensor("FloatStorage", "0", 1, 0, [1], [1]).SetItem().Stop().ToArray(),
                                new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        Assert.Contains("bare state_dict", Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(stateDict)).Message);
    }

    [Fact]
    public void AMissingPtFileSaysForgeDoesNotDownload()
    {
        var path = Path.Combine(dir, "yolov8n.pt");
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedWeights.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not download", e.Message);
        Assert.Contains("model=yolov8n", e.Message);
    }
}
