using Forge.Core.Serialization;

namespace Forge.Core.Tests.Serialization;

public sealed class AtomicFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("forge-atomic-tests-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Entries() => Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void WritesThenReplacesContentLeavingNoTemporaryFiles()
    {
        var path = Path.Combine(dir, "last.safetensors");
        AtomicFile.Write(path, new byte[] { 1, 2, 3, 4, 5, 6 });
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, File.ReadAllBytes(path));

        AtomicFile.Write(path, new byte[] { 9, 8 });   // shorter: nothing of the old content may remain
        Assert.Equal(new byte[] { 9, 8 }, File.ReadAllBytes(path));

        AtomicFile.Write(path, ReadOnlyMemory<byte>.Empty);
        Assert.Empty(File.ReadAllBytes(path));
        Assert.Equal(["last.safetensors"], Entries());
    }

    [Fact]
    public void WriteTextIsUtf8AndCreatesMissingFolders()
    {
        var path = Path.Combine(dir, "a", "b", "args.yaml");
        AtomicFile.WriteText(path, "name: 'ünï'\n");
        Assert.Equal("name: 'ünï'\n", File.ReadAllText(path, System.Text.Encoding.UTF8));
        Assert.Equal(new byte[] { 0xC3, 0xBC }, File.ReadAllBytes(path)[7..9]);   // no byte-order mark before the text
    }

    [Fact]
    public void RelativePathsAreResolved()
    {
        // Relative to the working directory (not changed here: tests run in parallel in one process).
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(dir, "rel.bin"));
        Assert.False(Path.IsPathRooted(relative));
        AtomicFile.Write(relative, new byte[] { 42 });
        Assert.Equal(new byte[] { 42 }, File.ReadAllBytes(Path.Combine(dir, "rel.bin")));
        Assert.Equal(["rel.bin"], Entries());
    }

    [Fact]
    public void FailingWriteWhoseFolderIsAFileLeavesThatFileIntact()
    {
        var file = Path.Combine(dir, "weights");
        File.WriteAllBytes(file, new byte[] { 7, 7, 7 });
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(Path.Combine(file, "best.safetensors"), new byte[] { 1 }));
        Assert.Equal(new byte[] { 7, 7, 7 }, File.ReadAllBytes(file));
        Assert.Equal(["weights"], Entries());
    }

    [Fact]
    public void FailingRenameLeavesTheTargetAndNoTemporaryFile()
    {
        // The target is a non-empty folder: the temporary file is written, then the rename fails.
        var target = Path.Combine(dir, "best.safetensors");
        Directory.CreateDirectory(target);
        File.WriteAllBytes(Path.Combine(target, "inside"), new byte[] { 5 });
        var old = Path.Combine(dir, "last.safetensors");
        File.WriteAllBytes(old, new byte[] { 3, 3 });

        Assert.ThrowsAny<Exception>(() => AtomicFile.Write(target, new byte[] { 1, 2 }));
        Assert.True(Directory.Exists(target));
        Assert.Equal(new byte[] { 5 }, File.ReadAllBytes(Path.Combine(target, "inside")));
        Assert.Equal(new byte[] { 3, 3 }, File.ReadAllBytes(old));
        Assert.Equal(["best.safetensors", "last.safetensors"], Entries());
    }

    [Fact]
    public async Task ConcurrentReaderSeesOnlyWholeVersions()
    {
        var path = Path.Combine(dir, "results.csv");
        const int size = 64 * 1024;
        AtomicFile.Write(path, Fill(0, size));
        using var stop = new CancellationTokenSource();
        using var firstRead = new SemaphoreSlim(0);
        int torn = 0, reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var bytes = File.ReadAllBytes(path);
                if (bytes.Length != size || bytes.Any(b => b != bytes[0])) torn++;
                if (++reads == 1) firstRead.Release();
            }
        });
        await firstRead.WaitAsync(TimeSpan.FromSeconds(10));
        for (byte v = 1; v <= 30; v++) AtomicFile.Write(path, Fill(v, size));
        stop.Cancel();
        await reader;
        Assert.Equal(0, torn);
        Assert.True(reads > 0);
        Assert.Equal(Fill(30, size), File.ReadAllBytes(path));
        Assert.Equal(["results.csv"], Entries());
    }

    static byte[] Fill(byte value, int n)
    {
        var b = new byte[n];
        Array.Fill(b, value);
        return b;
    }
}
