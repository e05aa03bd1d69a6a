using Forge.Core.Config;
using Forge.Training.Checkpoints;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Integration;

/// <summary>
/// Settings that act on the tensor library or the model rather than on the loop: freeze=, deterministic=, amp=. They change
/// process-wide libtorch state, so they run in the serial integration collection.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class FreezeAndTensorLibraryTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void FreezeKeepsTheFirstLayersParametersExactlyWhileTheRestTrain()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"));
        string weights = ConfidentWeights.Write(temp.Combine("start.safetensors"), numClasses: 6);
        var cfg = TinyRun.Config(data, temp.Combine("runs"), "frozen").With("model", weights).With("freeze", 2).With("epochs", 1).With("nbs", 4)
            .With("optimizer", "SGD").With("lr0", 0.01).With("warmup_epochs", 0.0).With("plots", false).With("val", false);
        var (result, log) = TinyRun.Train(cfg);
        output.WriteLine(log);
        Assert.Contains("freeze=2:", log);

        using var start = Checkpoint.Load(weights);
        using var end = Checkpoint.Load(result.LastCheckpoint);
        var before = start.Section(Checkpoint.ModelPrefix);
        var after = end.Section(TrainingCheckpoint.TrainModelPrefix);
        var parameters = after.Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal) || k.EndsWith(".bias", StringComparison.Ordinal)).ToList();
        bool Same(string k) => before[k].eq(after[k]).all().item<bool>();
        var frozen = parameters.Where(k => k.StartsWith("model.0.", StringComparison.Ordinal) || k.StartsWith("model.1.", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, frozen.Count);   // conv.weight, bn.weight, bn.bias of model.0 and model.1
        Assert.All(frozen, k => Assert.True(Same(k), $"{k} changed although frozen"));
        Assert.False(Same("model.2.cv1.conv.weight"), "model.2 did not train");
    }

    [Fact]
    public void FreezingEveryLayerIsRefusedByName()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"));
        var e = Assert.Throws<ConfigException>(() => TinyRun.Train(TinyRun.Config(data, temp.Combine("runs"), "all").With("freeze", 1000)));
        Assert.Contains("freeze=1000", e.Message);
    }

    [Fact]
    public void DeterministicSwitchesLibtorchsDeterministicModeOnAndOffWithoutFillingNewTensors()
    {
        try
        {
            // libtorch 2.1+ also NaN-fills every tensor empty() allocates in deterministic mode
            // (torch.utils.deterministic.fill_uninitialized_memory); Forge turns that fill off in both modes.
            TensorLibrary.SetDeterministic(true, CPU, TextWriter.Null);
            Assert.True(TensorLibrary.DeterministicAlgorithms);
            Assert.Equal((true, true), TensorLibrary.LibtorchDeterministicAlgorithms);   // on, warn-only
            Assert.False(TensorLibrary.FillsNewTensors, "deterministic=true: libtorch still NaN-fills new tensors");
            using (var t = empty(16L << 20)) Assert.False(t.isnan().all().item<bool>(), "deterministic=true: empty() is NaN-filled");
            TensorLibrary.SetDeterministic(false, CPU, TextWriter.Null);
            Assert.False(TensorLibrary.DeterministicAlgorithms);
            Assert.False(TensorLibrary.LibtorchDeterministicAlgorithms.On);
            Assert.False(TensorLibrary.FillsNewTensors);
        }
        finally
        {
            TensorLibrary.SetDeterministic(true, CPU, TextWriter.Null);
        }
    }

    /// <summary>
    /// amp=true (Ultralytics' default) is float32 on every CPU, as Ultralytics' check_amp makes it, whether or not the CPU has
    /// native bfloat16; bf16 is bfloat16 autocast on any CPU; false never; true and bf16 are refused on CUDA. The start-up line
    /// says which and, for amp=true on a CPU with native bfloat16, points to amp=bf16.
    /// </summary>
    [Fact]
    public void AmpTrueIsFloat32OnCpuAmpBf16IsBFloat16AndBothAreRefusedOnCuda()
    {
        var cuda = new Device(DeviceType.CUDA, 0);
        Assert.Equal("true", new ForgeConfig().Amp);   // Ultralytics' default
        Assert.False(TensorLibrary.TrainsInBFloat16("true", CPU));
        Assert.True(TensorLibrary.TrainsInBFloat16("bf16", CPU));
        Assert.False(TensorLibrary.TrainsInBFloat16("false", CPU));
        Assert.False(TensorLibrary.TrainsInBFloat16("false", cuda));
        Assert.False(TensorLibrary.TrainsInBFloat16("true", CPU, ScalarType.Float64));
        var notFloat32 = Assert.Throws<ConfigException>(() => TensorLibrary.TrainsInBFloat16("bf16", CPU, ScalarType.Float64));
        Assert.Contains("Float64", notFloat32.Message);
        foreach (var amp in new[] { "true", "bf16" })
        {
            var e = Assert.Throws<ConfigException>(() => TensorLibrary.TrainsInBFloat16(amp, cuda));
            Assert.Contains($"amp={amp}", e.Message);
            Assert.Contains("amp=false", e.Message);
            e = Assert.Throws<ConfigException>(() => TensorLibrary.Configure(new ForgeConfig().With("amp", amp), cuda, TextWriter.Null));
            Assert.Contains($"amp={amp}", e.Message);
        }
        Assert.False(TensorLibrary.Configure(new ForgeConfig(), CPU, TextWriter.Null));
        Assert.True(TensorLibrary.Configure(new ForgeConfig().With("amp", "bf16"), CPU, TextWriter.Null));
        Assert.False(TensorLibrary.Configure(new ForgeConfig().With("amp", "false"), CPU, TextWriter.Null));

        Assert.EndsWith("amp=off (cpu; amp=bf16 would train in native bfloat16)", TensorLibrary.Describe("true", bf16: false, CPU, cpuHasNativeBFloat16: true));
        Assert.EndsWith("amp=off (cpu)", TensorLibrary.Describe("true", bf16: false, CPU, cpuHasNativeBFloat16: false));
        Assert.EndsWith("amp=bf16 (cpu)", TensorLibrary.Describe("bf16", bf16: true, CPU, cpuHasNativeBFloat16: true));
        Assert.EndsWith("amp=bf16 (cpu, emulated)", TensorLibrary.Describe("bf16", bf16: true, CPU, cpuHasNativeBFloat16: false));
        Assert.EndsWith("amp=off (cpu)", TensorLibrary.Describe("false", bf16: false, CPU, cpuHasNativeBFloat16: true));
        Assert.EndsWith("amp=off", TensorLibrary.Describe("false", bf16: false, cuda, cpuHasNativeBFloat16: true));
        var fp16 = Assert.Throws<ConfigException>(new ForgeConfig().With("amp", "fp16").Validate);
        Assert.Contains("bf16", fp16.Message);
    }

    /// <summary>half=true is bfloat16 autocast for val and predict on CPU (said on the log), refused on CUDA and by training.</summary>
    [Fact]
    public void HalfIsABFloat16ForwardForValAndPredictOnly()
    {
        Assert.False(TensorLibrary.InferenceBFloat16(new ForgeConfig(), CPU, TextWriter.Null));   // Ultralytics' default half=False
        var half = new ForgeConfig().With("half", true);
        var log = new StringWriter();
        Assert.True(TensorLibrary.InferenceBFloat16(half, CPU, log));
        Assert.Contains("half=true: the forward runs in bfloat16 autocast", log.ToString());
        var e = Assert.Throws<ConfigException>(() => TensorLibrary.InferenceBFloat16(half, new Device(DeviceType.CUDA, 0), TextWriter.Null));
        Assert.Contains("CUDA", e.Message);
        e = Assert.Throws<ConfigException>(() => TensorLibrary.Configure(half, CPU, TextWriter.Null));
        Assert.Contains("amp=bf16", e.Message);
    }

    /// <summary>
    /// amp=bf16 trains through the bfloat16 forward (the weights after one epoch differ from amp=false's, same seed and
    /// data) and keeps the state float32: every tensor of the checkpoint, model, EMA and optimizer alike; the thread leaves
    /// the autocast region.
    /// </summary>
    [Fact]
    public void AmpBf16TrainsWithABFloat16ForwardAndKeepsFloat32State()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"));
        string Train(string amp)
        {
            var cfg = TinyRun.Config(data, temp.Combine("runs"), "amp-" + amp).With("amp", amp).With("epochs", 1).With("val", false).With("plots", false);
            var (result, log) = TinyRun.Train(cfg);
            output.WriteLine(log);
            Assert.Contains($"amp={(amp == "bf16" ? "bf16" : "off")} (cpu", log);
            return result.LastCheckpoint;
        }
        string mixed = Train("bf16"), plain = Train("false");
        Assert.False(Forge.Torch.Autocast.IsEnabled);
        using var a = Checkpoint.Load(mixed);
        using var b = Checkpoint.Load(plain);
        var floats = a.Tensors.Where(kv => kv.Value.is_floating_point()).ToList();
        Assert.NotEmpty(floats);
        Assert.All(floats, kv => Assert.True(kv.Value.dtype == ScalarType.Float32, $"{kv.Key} is {kv.Value.dtype}"));
        var weights = a.Section(TrainingCheckpoint.TrainModelPrefix);
        var reference = b.Section(TrainingCheckpoint.TrainModelPrefix);
        Assert.Contains(weights.Keys, k => !weights[k].eq(reference[k]).all().item<bool>());
    }

    [Fact]
    public void TheStartLineReportsDeterministicAndAmp()
    {
        string data = TinyDatasets.Shapes(temp.Combine("shapes"));
        var (_, log) = TinyRun.Train(TinyRun.Config(data, temp.Combine("runs"), "nondet").With("deterministic", false).With("epochs", 1).With("val", false).With("plots", false));
        Assert.Contains("deterministic=false  amp=off (cpu" + (Forge.Torch.Autocast.CpuHasNativeBFloat16 ? "; amp=bf16 would train in native bfloat16)" : ")"), log);
        Assert.False(TensorLibrary.DeterministicAlgorithms);
        TensorLibrary.SetDeterministic(true, CPU, TextWriter.Null);
    }
}
