using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Data.Tests.Datasets;

namespace Forge.Data.Tests.Loading;

/// <summary>A tiny on-disk dataset: 10 images of assorted sizes, most with labels, one background.</summary>
public sealed class LoaderFixture : IDisposable
{
    public TempFolder Folder { get; } = new();
    public const int Images = 10;

    public LoaderFixture()
    {
        for (int i = 0; i < Images; i++)
        {
            int w = 24 + 8 * (i % 4), h = 20 + 6 * (i % 3);
            Folder.WriteImage($"images/img{i:00}.png", w, h, i);
            if (i != 4) Folder.WriteText($"labels/img{i:00}.txt", $"{i % 3} 0.5 0.5 0.5 0.4\n{(i + 1) % 3} 0.3 0.3 0.2 0.3\n");
        }
    }

    public DatasetIndex BuildIndex() => DatasetIndex.Build([Folder.Full("images")], 3, new DataIssueLog(TextWriter.Null), "train", threads: 1);

    public void Dispose() => Folder.Dispose();
}
