using System.Runtime.InteropServices;

namespace Forge.Core.Serialization;

/// <summary>
/// Writes a file so that readers see either the old content or the whole new one, never a torn file: write to a temporary
/// file in the same folder, flush to disk, rename over the target, then flush the folder entry (POSIX).
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlyMemory<byte> content) => Write(path, stream => stream.Write(content.Span));

    /// <summary>Same guarantees, with the content produced by <paramref name="writeContent"/> writing to the temporary file.</summary>
    public static void Write(string path, Action<Stream> writeContent)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                writeContent(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
            SyncDirectory(dir);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;   // best effort: some file systems refuse opening folders
        try { fsync(fd); } finally { close(fd); }
    }

    [DllImport("libc", SetLastError = true)] static extern int open(string path, int flags);
    [DllImport("libc", SetLastError = true)] static extern int fsync(int fd);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);
}
