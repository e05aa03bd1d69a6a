using TorchSharp;

namespace Forge.Training.Tests.Integration;

/// <summary>
/// A training log that also notes how many tensor handles the training thread holds whenever an epoch starts and when
/// training ends. TorchSharp counts handles per thread, and a handle the training thread leaks stays counted even after
/// the finalizer frees it, so the count shows leaks however the garbage collector happens to run.
/// </summary>
public sealed class TensorCountingLog : StringWriter
{
    public List<long> LiveAtEpochStart { get; } = new();
    public long? LiveAtEnd { get; private set; }

    public override void WriteLine(string? value)
    {
        if (value is not null && value.Contains("Epoch   box_loss", StringComparison.Ordinal))
            LiveAtEpochStart.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        else if (value is not null && value.Contains(" epochs completed in ", StringComparison.Ordinal))
            LiveAtEnd = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        base.WriteLine(value);
    }
}
