using System.Diagnostics;
using Forge.Core.Detection;
using Forge.Data.Imaging;
using Forge.Data.Inference;
using Forge.Data.Loading;
using Forge.Data.Sources;
using Forge.Models;
using OpenCvSharp;
using static TorchSharp.torch;

namespace Forge.Training.Prediction;

/// <summary>
/// Runs a detector on images and videos as Ultralytics' predictor does: letterbox with minimal padding (a multiple of the
/// model's largest stride; a fixed-size ONNX model gets its own size, square padding), NMS (conf 0.25 / IoU 0.7 by default),
/// boxes mapped back to the original pixels; optionally writes annotated images (JPEG) and videos (MJPG .avi at the source
/// frame rate), YOLO-format .txt labels and one predictions.json. Outputs of different inputs never share a name (see
/// <see cref="OutputStems"/>). The detector is any <see cref="IDetectionBackend"/>: the TorchSharp model or an ONNX Runtime
/// session, with the same pre- and post-processing (<see cref="InferenceInput"/>, <see cref="DetectionPostprocess"/>).
/// Each image's log line ends with its inference time (as Ultralytics'); <see cref="ImagePrediction.Speed"/> has all three parts
/// and <see cref="PredictionRun.Speed"/> their means. One predictor serves one thread at a time: it reuses its input buffer
/// from image to image.
/// </summary>
/// <param name="imgsz">Long side of the letterbox for a model that takes any size (ignored by a fixed-size one).</param>
/// <param name="style">How annotated images draw boxes and labels (line_width, show_labels, show_conf); null: Ultralytics' defaults.</param>
public sealed class Predictor(IDetectionBackend backend, string[] names, int imgsz, NmsOptions? nms = null, PredictionStyle? style = null)
{
    readonly NmsOptions nms = nms ?? new NmsOptions(ConfThreshold: 0.25f, IouThreshold: 0.7f, MaxDetections: 300);
    readonly PredictionStyle style = style ?? new PredictionStyle();
    float[]? previousInput;   // the last image's letterboxed floats: the next image is written into it if it fits (InferenceInput.Prepare)
    float[]? previousOutput;  // the last image's decoded output, read before the next forward writes into it

    /// <summary>A predictor for a TorchSharp model on <paramref name="device"/>.</summary>
    /// <param name="channelsLast">Run the model channels_last (the channels_last setting; see <see cref="TorchDetectionBackend"/>).</param>
    /// <param name="bfloat16">Run the forward in bfloat16 autocast (half=true on CPU).</param>
    public Predictor(YoloDetector model, string[] names, int imgsz, Device device, NmsOptions? nms = null, PredictionStyle? style = null,
                     bool channelsLast = false, bool bfloat16 = false)
        : this(new TorchDetectionBackend(model, device, channelsLast, bfloat16), names, imgsz, nms, style) { }

    /// <summary>Options for <see cref="Run"/>.</summary>
    public sealed record Outputs(bool SaveImages = true, bool SaveTxt = false, bool SaveJson = true, int VidStride = 1);

    /// <summary>Detections for one BGR image (original pixels, clipped to the image), with the time each part took.</summary>
    public ImagePrediction Predict(Mat image, string path, int? frame = null)
    {
        long start = Stopwatch.GetTimestamp();
        // Ultralytics: auto (minimal) padding for PyTorch and dynamic models, the export size for fixed ones.
        var input = backend.FixedInputSize is { } size
            ? InferenceInput.Prepare(image, path, size.Height, size.Width, backend.Stride, auto: false, previousInput)
            : InferenceInput.Prepare(image, path, imgsz, backend.Stride, auto: true, previousInput);
        previousInput = input.Chw;
        long prepared = Stopwatch.GetTimestamp();
        int count = backend.Forward(input.Chw, 1, input.Height, input.Width, ref previousOutput, out int anchors);
        long inferred = Stopwatch.GetTimestamp();
        var dets = DetectionPostprocess.Run(previousOutput.AsSpan(0, count), anchors, backend.NumClasses, nms, input.Info);
        var speed = new PredictionSpeed(Stopwatch.GetElapsedTime(start, prepared).TotalMilliseconds, Stopwatch.GetElapsedTime(prepared, inferred).TotalMilliseconds,
                                        Stopwatch.GetElapsedTime(inferred).TotalMilliseconds, input.Height, input.Width);
        return new ImagePrediction(path, image.Width, image.Height, dets, null, frame, speed);
    }

    /// <summary>Predicts every image and video of <paramref name="source"/> (see <see cref="PredictSources.Expand"/>), writing outputs under <paramref name="outputDir"/>.</summary>
    public PredictionRun Run(string source, string outputDir, Outputs outputs, TextWriter log)
    {
        if (outputs.VidStride < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs.VidStride, "vid_stride must be at least 1");
        var files = PredictSources.Expand(source);
        Directory.CreateDirectory(outputDir);
        var writer = new PredictionWriter(outputDir, names, outputs.SaveTxt, style);
        var results = new List<ImagePrediction>();
        using var run = backend.BeginRun();   // the weights stay as they are for the whole run
        int unreadable = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var file = files[i];
            string prefix = $"{(file.Kind == SourceKind.Video ? "video" : "image")} {i + 1}/{files.Count} {file.Path}";
            bool ok = file.Kind == SourceKind.Video
                ? RunVideo(file, outputDir, outputs, writer, results, prefix, log)
                : RunImage(file, outputDir, outputs, writer, results, prefix, log);
            if (!ok) unreadable++;
        }
        if (outputs.SaveJson) writer.WriteJson(results, Path.Combine(outputDir, "predictions.json"));
        return new PredictionRun(results, files.Count(f => f.Kind == SourceKind.Image), files.Count(f => f.Kind == SourceKind.Video), unreadable);
    }

    bool RunImage(SourceFile file, string outputDir, Outputs outputs, PredictionWriter writer, List<ImagePrediction> results, string prefix, TextWriter log)
    {
        Mat image;
        try { image = ImageFile.Read(file.Path); }
        catch (InvalidDataException e)
        {
            log.WriteLine($"{prefix}: skipped, {Reason(e, file.Path)}");
            return false;
        }
        using (image)
        {
            var pred = Predict(image, file.Path);
            if (outputs.SaveImages)
            {
                string annotated = Path.Combine(outputDir, file.OutputStem + ".jpg");
                using var canvas = image.Clone();
                Annotate(canvas, pred.Detections);
                ImageFile.Write(canvas, annotated);
                pred = pred with { AnnotatedPath = annotated };
            }
            writer.WriteTxt(pred, file.OutputStem);
            results.Add(pred);
            log.WriteLine($"{prefix}: {image.Width}x{image.Height} {Summarize(pred)}, {pred.Speed!.InferenceMs:0.0}ms");
        }
        return true;
    }

    bool RunVideo(SourceFile file, string outputDir, Outputs outputs, PredictionWriter writer, List<ImagePrediction> results, string prefix, TextWriter log)
    {
        using var capture = new VideoCapture(file.Path);
        if (!capture.IsOpened())
        {
            log.WriteLine($"{prefix}: skipped, OpenCV cannot open it as a video");
            return false;
        }
        double fps = capture.Get(VideoCaptureProperties.Fps);
        if (!(fps > 0) || !double.IsFinite(fps)) fps = 30;
        int total = (int)(capture.Get(VideoCaptureProperties.FrameCount) / outputs.VidStride);
        string annotated = Path.Combine(outputDir, file.OutputStem + ".avi");
        VideoWriter? video = null;
        using var frame = new Mat();
        int number = 0;
        try
        {
            while (Next(capture, frame, outputs.VidStride))
            {
                number++;
                var pred = Predict(frame, file.Path, number);
                if (outputs.SaveImages)
                {
                    video ??= OpenWriter(annotated, fps, frame.Width, frame.Height);
                    using var canvas = frame.Clone();
                    Annotate(canvas, pred.Detections);
                    video.Write(canvas);
                    pred = pred with { AnnotatedPath = annotated };
                }
                writer.WriteTxt(pred, $"{file.OutputStem}_{number}");
                results.Add(pred);
                log.WriteLine($"{prefix} (frame {number}/{total}): {frame.Width}x{frame.Height} {Summarize(pred)}, {pred.Speed!.InferenceMs:0.0}ms");
            }
        }
        finally
        {
            video?.Dispose();
        }
        if (number == 0) log.WriteLine($"{prefix}: no frames could be read");
        return number > 0;
    }

    /// <summary>Ultralytics' vid_stride: grab <paramref name="stride"/> frames, keep the last one.</summary>
    static bool Next(VideoCapture capture, Mat frame, int stride)
    {
        for (int k = 0; k < stride; k++)
            if (!capture.Grab()) return false;
        return capture.Retrieve(frame) && !frame.Empty();
    }

    static VideoWriter OpenWriter(string path, double fps, int width, int height)
    {
        var writer = new VideoWriter(path, FourCC.MJPG, fps, new OpenCvSharp.Size(width, height));
        if (!writer.IsOpened())
        {
            writer.Dispose();
            throw new IOException($"{path}: OpenCV could not open an MJPG video writer ({width}x{height} at {fps:0.##} fps)");
        }
        return writer;
    }

    /// <summary>
    /// Boxes and labels ("name conf", "name" or none: show_labels, show_conf) in the class colours with line_width, lowest
    /// confidence first so the best ends on top (Ultralytics Results.plot).
    /// </summary>
    void Annotate(Mat canvas, IReadOnlyList<Detection> detections)
    {
        var annotator = new Annotator(canvas, style.LineWidth ?? 0);
        for (int k = detections.Count - 1; k >= 0; k--)
        {
            var d = detections[k];
            annotator.BoxLabel(d.Box, style.Label(names[d.ClassId], d.Score), ClassColors.Bgr(d.ClassId));
        }
    }

    static string Reason(Exception e, string path) =>
        e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message[(path.Length + 1)..].TrimStart() : e.Message;

    string Summarize(ImagePrediction p)
    {
        if (p.Detections.Count == 0) return "(no detections)";
        return string.Join(", ", p.Detections.GroupBy(d => d.ClassId).OrderBy(g => g.Key).Select(g => $"{g.Count()} {names[g.Key]}"));
    }
}
