using System.Diagnostics;
using System.Text.Json;
using Forge.Core.Detection;
using Forge.Data.Augmentation;
using Forge.Data.Imaging;
using Forge.Data.Loading;
using Forge.Models;
using Forge.Training.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Prediction;

/// <summary>
/// Runs a detector on image files: letterbox to the model size, NMS (conf 0.25 / IoU 0.7 by default), boxes mapped back
/// to the original pixels; optionally writes annotated images, YOLO-format .txt labels and one predictions.json.
/// </summary>
public sealed class Predictor(YoloDetector model, string[] names, int imgsz, Device device, NmsOptions? nms = null, PredictionStyle? style = null)
{
    readonly NmsOptions nms = nms ?? new NmsOptions(ConfThreshold: 0.25f, IouThreshold: 0.7f, MaxDetections: 300);
    readonly PredictionStyle style = style ?? new PredictionStyle();

    /// <summary>Image files of a source: one image, or every image in a folder (sorted, not recursive).</summary>
    public static List<string> ExpandSource(string source)
    {
        if (File.Exists(source))
        {
            if (!ImageCodec.IsImageFile(source)) throw new ArgumentException($"source={source}: not an image file ({string.Join(", ", ImageCodec.Extensions)})");
            return [Path.GetFullPath(source)];
        }
        if (Directory.Exists(source))
        {
            var files = Directory.EnumerateFiles(source).Where(ImageCodec.IsImageFile).Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new ArgumentException($"source={source}: the folder has no images ({string.Join(", ", ImageCodec.Extensions)})");
            return files;
        }
        throw new FileNotFoundException($"source={source}: no such file or folder", source);
    }

    public ImagePrediction Predict(RgbImage image, string path)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        // Enlarge small images too (Ultralytics' predict letterbox does): validation sees every image with its long side
        // at imgsz, so only padding a small one would show the model its objects at a scale it was not trained for.
        var boxed = Letterbox.Apply(image, imgsz, imgsz, scaleUp: true, out var lb);
        var input = new float[3 * imgsz * imgsz];
        Collate.ToChw(boxed, input, 0);
        var x = tensor(input, [1, 3, imgsz, imgsz]).to(device);
        var decoded = model.Decode(model.forward(x), imgsz, imgsz).to(CPU).contiguous();
        var all = decoded.data<float>().ToArray();
        var dets = NonMaxSuppression.Run(all, (int)decoded.shape[2], model.NumClasses, nms);
        var info = new ImageInfo(path, image.Width, image.Height, lb.Scale, lb.PadX, lb.PadY);
        return new ImagePrediction(path, image.Width, image.Height, Validator.ToOriginal(dets, info), null);
    }

    /// <summary>Predicts every image of <paramref name="source"/>, saving outputs under <paramref name="outputDir"/>.</summary>
    public List<ImagePrediction> Run(string source, string outputDir, bool saveImages, bool saveTxt, bool saveJson, TextWriter log)
    {
        var files = ExpandSource(source);
        Directory.CreateDirectory(outputDir);
        var results = new List<ImagePrediction>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            var path = files[i];
            RgbImage image;
            try { image = ImageCodec.Decode(path); }
            catch (InvalidDataException e)
            {
                log.WriteLine($"image {i + 1}/{files.Count} {path}: skipped, {e.Message}");
                continue;
            }
            var clock = Stopwatch.StartNew();
            var pred = Predict(image, path);
            double ms = clock.Elapsed.TotalMilliseconds;
            string? annotated = null;
            if (saveImages)
            {
                foreach (var d in pred.Detections)
                {
                    string? label = style.Label(names[d.ClassId], d.Score);
                    if (label is null) Drawing.Rectangle(image, d.Box, Palette.ForClass(d.ClassId), style.LineWidth ?? Math.Max(1, (int)MathF.Round((image.Width + image.Height) * 0.002f)));
                    else Drawing.BoxLabel(image, d.Box, label, Palette.ForClass(d.ClassId), style.LineWidth ?? 0);
                }
                annotated = Path.Combine(outputDir, Path.GetFileNameWithoutExtension(path) + ".jpg");
                ImageCodec.SaveJpeg(image, annotated);
            }
            if (saveTxt) WriteYoloTxt(pred, Path.Combine(outputDir, "labels", Path.GetFileNameWithoutExtension(path) + ".txt"));
            pred = pred with { AnnotatedPath = annotated };
            results.Add(pred);
            log.WriteLine($"image {i + 1}/{files.Count} {path}: {image.Width}x{image.Height} {Summarize(pred)}, {ms:0.0}ms");
        }
        if (saveJson) WriteJson(results, Path.Combine(outputDir, "predictions.json"));
        return results;
    }

    string Summarize(ImagePrediction p)
    {
        if (p.Detections.Count == 0) return "(no detections)";
        return string.Join(", ", p.Detections.GroupBy(d => d.ClassId).OrderBy(g => g.Key).Select(g => $"{g.Count()} {names[g.Key]}"));
    }

    void WriteYoloTxt(ImagePrediction p, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, style.LabelFile(p.Detections, p.Width, p.Height));
    }

    void WriteJson(List<ImagePrediction> results, string path)
    {
        var doc = results.Select(r => new
        {
            image = r.Path,
            width = r.Width,
            height = r.Height,
            annotated = r.AnnotatedPath,
            detections = r.Detections.Select(d => new
            {
                @class = d.ClassId,
                name = names[d.ClassId],
                confidence = Math.Round(d.Score, 5),
                box = new { x1 = Math.Round(d.Box.X1, 2), y1 = Math.Round(d.Box.Y1, 2), x2 = Math.Round(d.Box.X2, 2), y2 = Math.Round(d.Box.Y2, 2) },
            }),
        });
        File.WriteAllText(path, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
