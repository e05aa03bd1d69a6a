namespace Forge.Training.Tests.Optimization;

/// <summary>
/// Tests that compare Forge with TorchSharp's own implementations (torch.optim.SGD/AdamW step, nn.utils.clip_grad_norm_).
/// Those create Scalars inside TorchSharp that nothing holds during the native call (see Forge.Torch.HeldScalars; Forge's
/// own code and tests are checked by ScalarLifetimeScan, TorchSharp's cannot be changed): a garbage collection at that
/// moment lets the finalizer free the Scalar while libtorch reads it, and the test host aborts ("Scalar::toFloat").
/// So these tests run alone (no other test allocates meanwhile) and call TorchSharp inside a no-GC region.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchSharpReferenceCollection
{
    public const string Name = "TorchSharp reference implementations";
}

static class TorchSharpReference
{
    /// <summary>Runs <paramref name="call"/> with garbage collection held off (up to 64 MB of managed allocations), after
    /// a full collection and the finalizers it queued; runs it plainly where the runtime cannot promise the region.</summary>
    public static T Run<T>(Func<T> call)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        bool region;
        try { region = GC.TryStartNoGCRegion(64L << 20); }
        catch (ArgumentOutOfRangeException) { region = false; }
        try { return call(); }
        finally
        {
            if (region && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    public static void Run(Action call) => Run(() => { call(); return 0; });
}
