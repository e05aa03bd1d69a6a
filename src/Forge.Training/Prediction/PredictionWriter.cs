using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Forge.Training.Prediction;

/// <summary>
/// Writes predict outputs: YOLO-format labels/&lt;stem&gt;.txt per image (&lt;stem&gt;_&lt;frame&gt;.txt per video frame, as
/// Ultralytics names them) with "class cx cy w h" normalised to the image (and the confidence with save_conf, see
/// <see cref="PredictionStyle.LabelFile"/>), and predictions.json with every image's or frame's boxes in pixels.
/// </summary>
internal sealed class PredictionWriter(string outputDir, string[] names, bool saveTxt, PredictionStyle style)
{
    public void WriteTxt(ImagePrediction p, string stem)
    {
        if (!saveTxt) return;
        string path = Path.Combine(outputDir, "labels", stem + ".txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, style.LabelFile(p.Detections, p.Width, p.Height));
    }

    public void WriteJson(List<ImagePrediction> results, string path)
    {
        var doc = results.Select(r =>
        {
            var entry = new Dictionary<string, object?> { ["image"] = r.Path };
            if (r.Frame is { } frame) entry["frame"] = frame;   // video frames only, 1-based
            entry["width"] = r.Width;
            entry["height"] = r.Height;
            entry["annotated"] = r.AnnotatedPath;
            entry["detections"] = r.Detections.Select(d => new
            {
                @class = d.ClassId,
                name = names[d.ClassId],
                confidence = Math.Round(d.Score, 5),
                box = new { x1 = Math.Round(d.Box.X1, 2), y1 = Math.Round(d.Box.Y1, 2), x2 = Math.Round(d.Box.X2, 2), y2 = Math.Round(d.Box.Y2, 2) },
            });
            return entry;
        });
        var options = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(path, JsonSerializer.Serialize(doc, options));
    }
}
