using Forge.Training.Checkpoints;
using Forge.Training.Tests;

namespace Forge.EndToEnd.Tests;

/// <summary>
/// Training steps run NCHW whatever channels_last says (it lays out validation and predict): on CPU, channels_last steps
/// moved AdamW's updates away from Ultralytics' from the first step on (bench/README.md, "channels_last training against
/// NCHW"). Through the forge CLI, which on a CPU without cache sizes tries channels_last in a child process rather than
/// falling back to NCHW as a test process would, the trained, EMA and optimizer tensors of channels_last=true and false are
/// bitwise the same; only validation differs.
/// </summary>
public class ChannelsLastTrainingTests : IDisposable
{
    readonly TinyDataset data = new(trainImages: 8, valImages: 2);

    public void Dispose() => data.Dispose();

    [Fact]
    public void Channels_last_leaves_the_training_steps_bitwise_unchanged()
    {
        var (codeA, outA) = ForgeProcess.Run(data.Root, data.TrainArgs("nhwc", "epochs=2", "channels_last=true"));
        Assert.True(codeA == 0, outA);
        var (codeB, outB) = ForgeProcess.Run(data.Root, data.TrainArgs("nchw", "epochs=2", "channels_last=false"));
        Assert.True(codeB == 0, outB);
        Assert.DoesNotContain("This process runs NCHW", outA);   // channels_last did run (validation) in the first process
        using var a = Checkpoint.Load(Path.Combine(data.Root, "runs", "nhwc", "weights", "last.safetensors"));
        using var b = Checkpoint.Load(Path.Combine(data.Root, "runs", "nchw", "weights", "last.safetensors"));
        var keys = a.Tensors.Keys.Where(k => !k.StartsWith("rng.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(keys.Count > 1000, $"{keys.Count} tensors (trained model, EMA and optimizer state expected)");
        var differing = keys.Where(k => !b.Tensors.TryGetValue(k, out var t) || !TorchTestUtil.BitwiseEqual(a.Tensors[k], t)).ToList();
        Assert.True(differing.Count == 0, $"{differing.Count} of {keys.Count} tensors differ between channels_last=true and false, e.g. {string.Join(", ", differing.Take(5))}");
    }
}
