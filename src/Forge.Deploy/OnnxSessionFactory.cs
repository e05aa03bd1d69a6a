using Microsoft.ML.OnnxRuntime;

namespace Forge.Deploy;

/// <summary>ONNX Runtime session options from <see cref="OnnxDetectorOptions"/>: threads, full graph optimisation, the execution provider.</summary>
public static class OnnxSessionFactory
{
    /// <exception cref="ArgumentException">An unknown device.</exception>
    /// <exception cref="InvalidOperationException">CUDA asked for but this ONNX Runtime build has no CUDA execution provider.</exception>
    public static SessionOptions CreateOptions(OnnxDetectorOptions o)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            if (o.Threads > 0)
            {
                options.IntraOpNumThreads = o.Threads;
                options.InterOpNumThreads = 1;
            }
            int? cuda = CudaDevice(o.Device);
            if (cuda is int id)
            {
                try { options.AppendExecutionProvider_CUDA(id); }
                catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    throw new InvalidOperationException(
                        $"device={o.Device}: this ONNX Runtime has no CUDA execution provider ({e.Message.Trim()}). Reference the " +
                        "Microsoft.ML.OnnxRuntime.Gpu package instead of Microsoft.ML.OnnxRuntime and install CUDA and cuDNN, or use device=cpu", e);
                }
            }
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>null for the CPU, else the CUDA device index ("cuda" → 0, "cuda:1" → 1, "1" → 1).</summary>
    /// <exception cref="ArgumentException">Not cpu, cuda, cuda:N or N.</exception>
    public static int? CudaDevice(string device)
    {
        var d = device.Trim().ToLowerInvariant();
        if (d is "" or "cpu") return null;
        if (d == "cuda") return 0;
        var index = d.StartsWith("cuda:", StringComparison.Ordinal) ? d[5..] : d;
        if (int.TryParse(index, out int i) && i >= 0) return i;
        throw new ArgumentException($"device={device}: use cpu, cuda or cuda:N");
    }
}
