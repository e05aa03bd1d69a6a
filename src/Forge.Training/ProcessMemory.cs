namespace Forge.Training;

/// <summary>Resident memory of this process (managed heap plus native tensors), for the per-epoch memory column.</summary>
public static class ProcessMemory
{
    public static double ResidentMegabytes()
    {
        // /proc/self/statm reports current RSS in pages; Process.WorkingSet64 caches and is slower.
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1]) * Environment.SystemPageSize / (1024.0 * 1024.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            using var p = System.Diagnostics.Process.GetCurrentProcess();
            return p.WorkingSet64 / (1024.0 * 1024.0);
        }
    }
}
