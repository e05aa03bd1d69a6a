using Forge.Torch;
using Forge.Models;
using Forge.Testing;
using Forge.Training.Checkpoints;
using static TorchSharp.torch;

namespace Forge.Training.Tests.Integration;

/// <summary>
/// An untrained detector whose class logits start at 0 instead of the low prior (every anchor scores about 0.5), so it
/// reports boxes at the usual confidence thresholds without any training; saved as plain weights with an architecture.
/// </summary>
public static class ConfidentWeights
{
    public static string Write(string path, int numClasses, int seed = 0)
    {
        using var model = SeededWeights.Reset(new YoloDetector(ModelScale.N, numClasses), (ulong)seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.StartsWith("model.22.cv3.", StringComparison.Ordinal) && name.EndsWith(".2.bias", StringComparison.Ordinal))
                    p.fill_(HeldScalars.Zero);
        var ckpt = new Checkpoint();
        ckpt.AddModule(Checkpoint.ModelPrefix, model);
        ckpt.Metadata["architecture"] = model.Architecture;
        ckpt.SetJson("names", Enumerable.Range(0, numClasses).Select(i => $"c{i}").ToArray());
        ckpt.Save(path);
        return path;
    }
}
