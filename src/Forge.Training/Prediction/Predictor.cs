using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Forge.Core.Detection;
using Forge.Data.Imaging;
using Forge.Data.Inference;
using Forge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Training.Prediction;

/// <summary>
/// Runs a detector on image files: letterbox to the model size, NMS (conf 0.25 / IoU 0.7 by default), boxes mapped back
/// to the original pixels; optionally writes annotated images, YOLO-format .txt labels and one predictions.json.
/// The detector is any <see cref="IDetectionBackend"/>: the TorchSharp model or an ONNX Runtime session, with the same
/// pre- and post-processing (<see cref="DetectionPreprocess"/>, <see cref="DetectionPostprocess"/>).
/// </summary>
/// <param name="imgsz">Square input size the images are letterboxed to.</param>
public sealed class Predictor(IDetectionBackend backend, string[] names, int imgsz, NmsOptions? nms = null)
{
    readonly NmsOptions nms = nms ?? new NmsOptions(ConfThreshold: 0.25f, IouThreshold: 0.7f, MaxDetections: 300);

    /// <summary>A predictor for a TorchSharp model on <paramref name="device"/>.</summary>
    public Predictor(YoloDetector model, string[] names, int imgsz, Device device, NmsOptions? nms = null)
        : this(new TorchDetectionBackend(model, device), names, imgsz, nms) { }

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
        var (input, info) = DetectionPreprocess.Letterbox(image, path, imgsz, imgsz);
        var output = backend.Forward(input, 1, imgsz, imgsz, out int anchors);
        var dets = DetectionPostprocess.Run(output, anchors, backend.NumClasses, nms, info);
        return new ImagePrediction(path, image.Width, image.Height, dets, null);
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
                    Drawing.BoxLabel(image, d.Box, $"{names[d.ClassId]} {d.Score:0.00}", Palette.ForClass(d.ClassId));
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

    static void WriteYoloTxt(ImagePrediction p, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var sb = new StringBuilder();
        foreach (var d in p.Detections)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{d.ClassId} {d.Box.CenterX / p.Width:0.######} {d.Box.CenterY / p.Height:0.######} {d.Box.Width / p.Width:0.######} {d.Box.Height / p.Height:0.######} {d.Score:0.#####}"));
        File.WriteAllText(path, sb.ToString());
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
