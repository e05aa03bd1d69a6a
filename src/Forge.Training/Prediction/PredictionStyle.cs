using System.Globalization;
using System.Text;
using Forge.Core.Config;
using Forge.Core.Detection;

namespace Forge.Training.Prediction;

/// <summary>
/// How predict writes what it found, with Ultralytics' settings: save_conf (a sixth .txt column), line_width (box lines in
/// pixels; null = from the image size), show_labels and show_conf (the text on each box: "name 0.87", "name" or none).
/// </summary>
public sealed record PredictionStyle(bool SaveConf = false, int? LineWidth = null, bool ShowLabels = true, bool ShowConf = true)
{
    public static PredictionStyle From(ForgeConfig cfg) => new(cfg.SaveConf, cfg.LineWidth, cfg.ShowLabels, cfg.ShowConf);

    /// <summary>The text drawn on a box, or null for none (Ultralytics Results.plot: labels and conf).</summary>
    public string? Label(string name, float score) =>
        !ShowLabels ? null : ShowConf ? $"{name} {score.ToString("F2", CultureInfo.InvariantCulture)}" : name;

    /// <summary>
    /// An image's detections as a YOLO label file, as Ultralytics' save_txt writes it: one "class cx cy w h" line per box,
    /// normalised to the image, "%g" numbers, and the confidence as a sixth column only with save_conf. Without save_conf the
    /// file reads back as training labels (pseudo-labelling).
    /// </summary>
    public string LabelFile(IEnumerable<Detection> detections, int width, int height)
    {
        var sb = new StringBuilder();
        foreach (var d in detections)
        {
            sb.Append(d.ClassId.ToString(CultureInfo.InvariantCulture)).Append(' ')
              .Append(G(d.Box.CenterX / width)).Append(' ').Append(G(d.Box.CenterY / height)).Append(' ')
              .Append(G(d.Box.Width / width)).Append(' ').Append(G(d.Box.Height / height));
            if (SaveConf) sb.Append(' ').Append(G(d.Score));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    // Python's "%g": 6 significant digits, trailing zeros dropped, exponent below 1e-4 (C# G6 with a lower-case 'e').
    static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
}
