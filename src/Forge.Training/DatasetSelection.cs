using Forge.Core.Config;
using Forge.Data.Datasets;

namespace Forge.Training;

/// <summary>
/// Ultralytics' dataset settings applied to an indexed split: fraction= (training only: the first images), classes= (only
/// those classes' labels; images left without labels train as backgrounds) and single_cls (every label becomes class 0 of one
/// class, 'item'), as Ultralytics' YOLODataset applies them (get_img_files, update_labels).
/// </summary>
public static class DatasetSelection
{
    /// <summary>The class names a run trains: the dataset's, or ['item'] with single_cls (the dataset's own name when it has one class).</summary>
    public static string[] Names(string[] datasetNames, ForgeConfig cfg) =>
        cfg.SingleCls ? [datasetNames.Length == 1 ? datasetNames[0] : "item"] : datasetNames;

    /// <summary>The split as the run sees it, saying what was selected on <paramref name="log"/>.</summary>
    /// <exception cref="ConfigException">classes= names a class the dataset does not have.</exception>
    public static DatasetIndex Apply(DatasetIndex index, ForgeConfig cfg, bool training, TextWriter log)
    {
        if (training && cfg.Fraction < 1)
        {
            int before = index.Count;
            index = index.FirstFraction(cfg.Fraction);
            log.WriteLine($"fraction={cfg.Fraction}: training on the first {index.Count} of {before} images");
        }
        if (cfg.ClassIds() is { } classes)
        {
            var unknown = classes.Where(c => c < 0 || c >= index.NumClasses).Order().ToList();
            if (unknown.Count > 0)
                throw new ConfigException($"classes={cfg.Classes}: the dataset has classes 0..{index.NumClasses - 1}, not {string.Join(", ", unknown)}");
            int labels = index.Items.Sum(i => i.Labels.Length);
            index = index.MapLabels(l => classes.Contains(l.ClassId) ? l : null, index.NumClasses, $"classes={string.Join(",", classes.Order())}");
            log.WriteLine($"classes={cfg.Classes}: {index.SplitName} keeps {index.Items.Sum(i => i.Labels.Length)} of {labels} labels ({index.BackgroundCount} images without labels)");
        }
        if (cfg.SingleCls) index = index.MapLabels(l => l with { ClassId = 0 }, 1, "single_cls");
        return index;
    }
}
