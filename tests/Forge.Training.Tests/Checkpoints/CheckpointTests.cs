using Forge.Torch;
using System.Buffers.Binary;
using Forge.Core.Config;
using Forge.Core.Geometry;
using Forge.Core.Metrics;
using Forge.Core.Serialization;
using Forge.Models;
using Forge.Testing;
using Forge.Training.Checkpoints;
using TorchSharp;
using static Forge.Training.Tests.TorchTestUtil;
using static TorchSharp.torch;
using Det = Forge.Core.Detection.Detection;
using LabeledBox = Forge.Core.Detection.LabeledBox;

namespace Forge.Training.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-ckpt-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Metrics of a small real evaluation: class 0 found exactly, class 1 missed (so mAP is 0.5).</summary>
    static DetectionMetrics SomeMetrics()
    {
        var ev = new DetectionEvaluator(2);
        ev.AddImage([new Det(new BoxF(0, 0, 10, 10), 0.9f, 0)],
                    [new LabeledBox(new BoxF(0, 0, 10, 10), 0), new LabeledBox(new BoxF(20, 20, 30, 30), 1)]);
        return ev.Compute();
    }

    string SaveDetector(YoloDetector model, string file = "best.safetensors", DetectionMetrics? metrics = null, string[]? names = null)
    {
        var path = Path.Combine(dir, file);
        using var ckpt = new Checkpoint();
        ckpt.AddModule(Checkpoint.ModelPrefix, model);
        var cfg = new ForgeConfig().With("epochs", 3).With("name", "run: one");
        new CheckpointInfo(3, 0.125, metrics, cfg, names ?? ["cat", "dog"], model.Architecture).WriteTo(ckpt);
        ckpt.Save(path);
        return path;
    }

    [Fact]
    public void DetectorStateRoundTripsBitwise()
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, 2), seed: 5);
        using var g = new Generator(5);
        using (no_grad())   // running statistics that are not the defaults
            foreach (var (name, b) in model.named_buffers())
                if (name.EndsWith("running_mean")) b.copy_(randn(b.shape, generator: g));
                else if (name.EndsWith("num_batches_tracked")) { using var eleven = HeldScalars.Of(11L); b.fill_(eleven); }
        var path = SaveDetector(model);

        using var ckpt = Checkpoint.Load(path);
        var section = ckpt.Section(Checkpoint.ModelPrefix);
        var state = model.state_dict();
        Assert.Equal(state.Keys.Order(), section.Keys.Order());
        foreach (var (name, t) in state) Assert.True(BitwiseEqual(t, section[name]), name);
        Assert.Equal(ScalarType.Int64, section["model.0.bn.num_batches_tracked"].dtype);
        Assert.Equal(11, section["model.0.bn.num_batches_tracked"].item<long>());
        Assert.All(ckpt.Tensors.Keys, k => Assert.StartsWith(Checkpoint.ModelPrefix, k));
    }

    [Fact]
    public void MetadataRoundTrips()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var metrics = SomeMetrics();
        var path = SaveDetector(model, metrics: metrics);

        using var ckpt = Checkpoint.Load(path);
        Assert.Equal(Checkpoint.Format, ckpt.Get("format"));
        Assert.Equal("yolov8n nc=2 reg_max=16 strides=8,16,32", ckpt.Get("architecture"));
        Assert.Equal("3", ckpt.Get("epoch"));
        Assert.Equal(0.125, double.Parse(ckpt.Get("best_fitness")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ForgeInfo.Version, ckpt.Get("forge_version"));
        Assert.True(DateTime.UtcNow - DateTime.Parse(ckpt.Get("date")!, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind) < TimeSpan.FromMinutes(5));
        Assert.Equal(["cat", "dog"], ckpt.GetJson<string[]>("names")!);
        Assert.Null(ckpt.Get("absent"));
        Assert.Null(ckpt.GetJson<string[]>("absent"));

        var m = ckpt.GetJson<Dictionary<string, double>>("metrics")!;
        Assert.Equal(metrics.Precision, m["metrics/precision(B)"]);
        Assert.Equal(metrics.Recall, m["metrics/recall(B)"]);
        Assert.Equal(metrics.Map50, m["metrics/mAP50(B)"]);
        Assert.Equal(metrics.Map50To95, m["metrics/mAP50-95(B)"]);
        Assert.Equal(metrics.Fitness, m["fitness"]);
        Assert.Equal(0.5, m["metrics/mAP50(B)"], 6);

        // The training arguments come back as the same configuration.
        var argsFile = Path.Combine(dir, "args.yaml");
        File.WriteAllText(argsFile, ckpt.Get("train_args"));
        var cfg = new ForgeConfig();
        cfg.ApplyYaml(argsFile);
        Assert.Empty(cfg.Differences(new ForgeConfig().With("epochs", 3).With("name", "run: one")));
    }

    [Fact]
    public void WithoutMetricsNoMetricsEntry()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        using var ckpt = Checkpoint.Load(SaveDetector(model));
        Assert.Null(ckpt.Get("metrics"));
    }

    [Fact]
    public void CheckpointFileIsPlainSafetensors()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var path = SaveDetector(model);
        var (records, meta) = SafeTensorsFile.Deserialize(File.ReadAllBytes(path), path);
        Assert.Equal(model.state_dict().Count, records.Count);
        // Section prefix + the detector's own name.
        var w = records.Single(r => r.Name == "model.model.0.conv.weight");
        Assert.Equal("F32", w.DType);
        Assert.Equal([16L, 3, 3, 3], w.Shape);
        Assert.Equal("I64", records.Single(r => r.Name == "model.model.0.bn.num_batches_tracked").DType);
        Assert.Equal(Checkpoint.Format, meta["format"]);
        Assert.Equal(records.Select(r => r.Name).Order(StringComparer.Ordinal), records.Select(r => r.Name));   // sorted: reproducible files
    }

    [Fact]
    public void PlainSafetensorsWithoutForgeMetadataLoadsAsTheModelSection()
    {
        var path = Path.Combine(dir, "exported.safetensors");
        var weight = new float[] { 1, 2, 3, 4 };
        var data = new byte[16];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), weight[i]);
        File.WriteAllBytes(path, SafeTensorsFile.Serialize(
            [new TensorRecord("0.conv.weight", "F32", [2, 2], data), new TensorRecord("model.1.bn.num_batches_tracked", "I64", [], new byte[8])],
            new Dictionary<string, string> { ["format"] = "pt" }));

        using var ckpt = Checkpoint.Load(path);
        // The section holds the file's names unchanged, whatever they start with.
        var section = ckpt.Section(Checkpoint.ModelPrefix);
        Assert.Equal(["0.conv.weight", "model.1.bn.num_batches_tracked"], section.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(weight, section["0.conv.weight"].data<float>().ToArray());
        Assert.Equal([2L, 2], section["0.conv.weight"].shape);
        Assert.Empty(section["model.1.bn.num_batches_tracked"].shape);
        Assert.Equal("pt", ckpt.Get("format"));
    }

    [Fact]
    public void PlainSafetensorsOfADetectorStateLoadsIntoTheDetector()
    {
        // Weights exported elsewhere with the detector's (Ultralytics') names: model.0.conv.weight, ...
        using var source = SeededWeights.Reset(new YoloDetector(ModelScale.N, 2), seed: 9);
        var path = Path.Combine(dir, "yolov8n-plain.safetensors");
        File.WriteAllBytes(path, SafeTensorsFile.Serialize(
            source.state_dict().Select(kv => TensorRecords.FromTensor(kv.Key, kv.Value)).ToList()));

        using var ckpt = Checkpoint.Load(path);
        using var target = new YoloDetector(ModelScale.N, 2);
        var report = ModelFactory.LoadMatching(target, ckpt.Section(Checkpoint.ModelPrefix));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Skipped);
        var expected = source.state_dict();
        foreach (var (name, t) in target.state_dict()) Assert.True(BitwiseEqual(expected[name], t), name);
    }

    [Fact]
    public void CorruptedCheckpointNamesThePath()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        var path = SaveDetector(model);
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x10;   // inside the data section
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);

        var truncated = Path.Combine(dir, "truncated.safetensors");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(truncated));
        Assert.Contains(truncated, e.Message);
    }

    [Fact]
    public void MissingCheckpointIsFileNotFound()
    {
        var path = Path.Combine(dir, "nope.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DisposingASavingCheckpointLeavesTheModelIntact()
    {
        using var model = new YoloDetector(ModelScale.N, 2);
        using (var ckpt = new Checkpoint())
        {
            ckpt.AddModule(Checkpoint.ModelPrefix, model);
            Assert.NotEmpty(ckpt.Serialize());
        }
        // The model's own tensors must still be alive.
        using var sum = model.parameters().First().sum();
        Assert.True(float.IsFinite(sum.item<float>()));
    }

    [Fact]
    public void SectionsSplitByPrefix()
    {
        using var ckpt = new Checkpoint();
        ckpt.Tensors["model.a"] = ones(1);
        ckpt.Tensors["model.b.c"] = ones(2);
        ckpt.Tensors["optimizer.a/exp_avg"] = ones(1);
        ckpt.Tensors["modelx"] = ones(1);
        Assert.Equal(["a", "b.c"], ckpt.Section("model.").Keys.Order());
        Assert.Equal(["a/exp_avg"], ckpt.Section("optimizer.").Keys);
        Assert.Empty(ckpt.Section("ema."));
    }
}
