using System.Security.Cryptography;
using System.Text;

namespace Forge.Data.Datasets;

// Derived indexes for Ultralytics' dataset settings: fraction= (the first images), classes= and single_cls (labels mapped).
// A derived index has its own fingerprint (the source's, combined with what was derived), so resuming checks it too.
public sealed partial class DatasetIndex
{
    /// <summary>
    /// The first round(Count * <paramref name="fraction"/>) images (at least one), in the index's sorted path order, as
    /// Ultralytics' BaseDataset.get_img_files keeps im_files[:round(n * fraction)].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1].</exception>
    public DatasetIndex FirstFraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "fraction must be in (0, 1]");
        int keep = Math.Max(1, (int)Math.Round(Count * fraction, MidpointRounding.ToEven));   // Python's round
        if (keep == Count) return this;
        return Derived(Items.Take(keep).ToList(), NumClasses, $"fraction={fraction}");
    }

    /// <summary>
    /// Every image with its labels mapped by <paramref name="map"/> (null drops a label; an image left without labels becomes a
    /// background image, as Ultralytics' update_labels does), as an index of <paramref name="numClasses"/> classes.
    /// </summary>
    /// <param name="what">What was derived, for the fingerprint ("classes=[0, 2]", "single_cls").</param>
    public DatasetIndex MapLabels(Func<ObjectLabel, ObjectLabel?> map, int numClasses, string what) =>
        Derived(Items.Select(i => i.WithLabels(map)).ToList(), numClasses, what);

    DatasetIndex Derived(IReadOnlyList<DatasetItem> items, int numClasses, string what)
    {
        string fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Fingerprint}\n{what}")));
        return new DatasetIndex(SplitName, numClasses, items, Root, fingerprint, SkippedImageCount, CacheImageSize);
    }
}
