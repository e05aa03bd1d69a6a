using System.Globalization;
using System.Runtime.InteropServices;
using Forge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training;

/// <summary>
/// batch=-1 / batch=0.7: the largest batch whose training step fits that share of the device's memory (Ultralytics'
/// utils/autobatch.py: measure the memory of a forward/backward pass at a few batch sizes, fit memory = slope * batch +
/// intercept, solve for the fraction of free memory; outside 1..1024 Ultralytics' default batch 16 is used instead, with a warning). On CPU the memory is this process's peak resident
/// memory (VmHWM, reset before each measurement through /proc/self/clear_refs) and the budget is the machine's available RAM
/// (MemAvailable); on CUDA it is the GPU's free memory as cudaMemGetInfo reports it.
/// </summary>
public static class AutoBatch
{
    static readonly int[] Probes = [1, 2, 4, 8];
    const int Fallback = 16;      // Ultralytics' default batch, used when the fit gives nothing safe
    const int MaxBatch = 1024;    // Ultralytics' autobatch: a batch outside [1, 1024] is "outside safe range"

    /// <summary>Measures <paramref name="newModel"/>'s training step at <paramref name="imgsz"/> and returns the chosen batch, saying why on <paramref name="log"/>.</summary>
    /// <exception cref="InvalidOperationException">The memory cannot be measured here (no /proc, no CUDA runtime).</exception>
    public static int Choose(Func<YoloDetector> newModel, Device device, int imgsz, double fraction, TextWriter log)
    {
        var memory = device.type == DeviceType.CUDA ? (IDeviceMemory)new CudaMemory() : new HostMemory();
        long free = memory.FreeBytes();
        var used = new List<(double Batch, double Bytes)>();
        using (var model = newModel())
        {
            model.to(device).train();
            Step(model, Probes[^1], imgsz, device);   // first-use allocations (gradients, thread pools) out of the measurements
            foreach (int b in Probes) used.Add((b, memory.Measure(() => Step(model, b, imgsz, device))));
        }
        var (slope, intercept) = FitLine(used);
        string measured = string.Join(", ", used.Select(u => string.Create(CultureInfo.InvariantCulture, $"{u.Bytes / (1 << 20):0.0} MiB")));
        if (slope <= 0)
        {
            log.WriteLine($"AutoBatch: WARNING: memory did not grow with the batch (measured at batch {string.Join(", ", Probes)}: {measured}); using batch={Fallback}");
            return Fallback;
        }
        double fit = Math.Floor((free * fraction - intercept) / slope);
        bool safe = fit is >= 1 and <= MaxBatch;
        int batch = safe ? (int)fit : Fallback;
        string gib = Gib(intercept + slope * batch), share = (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture);
        string outcome = safe
            ? $"batch={batch} fills {share}% ({gib} GiB)"
            : string.Create(CultureInfo.InvariantCulture, $"WARNING: batch={fit:0} outside the safe range 1..{MaxBatch} (as Ultralytics), using the default batch={Fallback} ({gib} GiB)");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"AutoBatch: {memory.Name} {Gib(free)} GiB free; a training image at imgsz={imgsz} needs {slope / (1 << 20):0.0} MiB " +
            $"(measured at batch {string.Join(", ", Probes)}: {measured}); ") + outcome);
        return batch;
    }

    static void Step(YoloDetector model, int batch, int imgsz, Device device)
    {
        using var scope = NewDisposeScope();
        var images = rand(batch, 3, imgsz, imgsz, device: device);
        model.forward(images).mean().backward();
        model.zero_grad();
    }

    /// <summary>Least-squares line through the (batch, bytes) points (numpy.polyfit with degree 1).</summary>
    public static (double Slope, double Intercept) FitLine(IReadOnlyList<(double X, double Y)> points)
    {
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        double slope = sxx == 0 ? 0 : sxy / sxx;
        return (slope, my - slope * mx);
    }

    static string Gib(double bytes) => (bytes / (1L << 30)).ToString("0.00", CultureInfo.InvariantCulture);

    interface IDeviceMemory
    {
        string Name { get; }
        long FreeBytes();
        /// <summary>Memory the action needed at its peak, in bytes.</summary>
        long Measure(Action action);
    }

    sealed class HostMemory : IDeviceMemory
    {
        public string Name => "CPU RAM";

        public long FreeBytes() => ProcMeminfo("MemAvailable:");

        public long Measure(Action action)
        {
            // Large blocks from mmap return to the system when freed, so each measurement sees its own peak rather than
            // memory a previous one left in malloc's arenas.
            ProcessMemory.SetMmapThreshold(16 * 1024);
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");   // resets VmHWM to the current resident size
                long before = ProcStatus("VmRSS:");
                action();
                return Math.Max(0, ProcStatus("VmHWM:") - before);
            }
            finally
            {
                // Back to the training setting (or, where the user chose malloc settings, glibc's largest dynamic threshold).
                if (!ProcessMemory.KeepLargeBlocksInHeap()) ProcessMemory.SetMmapThreshold(ProcessMemory.GlibcMaxDynamicMmapThreshold);
            }
        }

        static long ProcMeminfo(string key) => KiloBytes("/proc/meminfo", key);
        static long ProcStatus(string key) => KiloBytes("/proc/self/status", key);

        static long KiloBytes(string file, string key)
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))
                       ?? throw new InvalidOperationException($"auto batch: {file} has no {key} line; give batch=N");
            return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

    sealed class CudaMemory : IDeviceMemory
    {
        readonly long start;

        public CudaMemory() => start = FreeBytes();

        public string Name => "GPU";

        public long FreeBytes()
        {
            if (cudaMemGetInfo(out nuint free, out _) != 0) throw new InvalidOperationException("auto batch: cudaMemGetInfo failed; give batch=N");
            return (long)free;
        }

        // libtorch's caching allocator keeps what a step needed, so the fall in free memory since the first probe is the peak
        // of the largest step so far (the probes grow).
        public long Measure(Action action)
        {
            action();
            return Math.Max(0, start - FreeBytes());
        }

        [DllImport("cudart")] static extern int cudaMemGetInfo(out nuint free, out nuint total);
    }
}
