using Forge.Core.Detection;
using Forge.Data.Imaging;
using Forge.Data.Inference;
using Forge.Data.Loading;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Forge.Deploy;

/// <summary>
/// A detector exported to ONNX (by <c>forge export format=onnx</c> or by Ultralytics) run with ONNX Runtime: image in,
/// boxes in image pixels out. Images are read with OpenCV as Ultralytics reads them; pre-processing (letterbox, RGB floats
/// in [0, 1]) and post-processing (NMS, mapping back) are the ones Forge's TorchSharp predictor uses: a model exported with
/// a fixed size gets square letterboxes of that size, a dynamic one the minimal stride-multiple rectangle around the image
/// scaled to <see cref="InputHeight"/>. Thread-safe: one session may serve concurrent calls.
/// <code>
/// using var detector = new OnnxDetector("best.onnx");
/// foreach (var d in detector.Detect("bus.jpg")) Console.WriteLine($"{detector.Names[d.ClassId]} {d.Score:0.00} {d.Box}");
/// </code>
/// </summary>
public sealed class OnnxDetector : IDetectionBackend, IDisposable
{
    readonly InferenceSession session;
    readonly NmsOptions nms;

    public OnnxModelInfo Info { get; }
    public string[] Names => Info.Names;
    public int NumClasses => Info.NumClasses;
    /// <summary>The input size <see cref="Detect(Mat, string)"/> letterboxes to: the model's fixed size, else the option's,
    /// else the metadata's (a dynamic model then pads only to a multiple of <see cref="Stride"/>).</summary>
    public int InputHeight { get; }
    public int InputWidth { get; }
    /// <summary>The intra-op threads the session was given (<see cref="OnnxDetectorOptions.Threads"/>; 0: ONNX Runtime's default).</summary>
    public int Threads { get; }
    /// <summary>The most pixels one session run takes from a dynamic-batch input (<see cref="OnnxDetectorOptions.MaxRunPixels"/>
    /// as it applies on this execution provider; 0: the whole batch in one run).</summary>
    public long MaxRunPixels { get; }
    /// <summary>The model's largest stride (Ultralytics' 'stride' metadata, else 32).</summary>
    public int Stride => Info.Stride;
    /// <summary>The size a model exported with a fixed size takes; null for a dynamic (height and width) export.</summary>
    public (int Height, int Width)? FixedInputSize => Info.DynamicSize ? null : (InputHeight, InputWidth);

    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a detector in Ultralytics' ONNX layout.</exception>
    /// <exception cref="InvalidOperationException">The execution provider asked for is not available.</exception>
    public OnnxDetector(string modelPath, OnnxDetectorOptions? options = null)
    {
        options ??= new OnnxDetectorOptions();
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"{modelPath}: no such ONNX file", modelPath);
        using var sessionOptions = OnnxSessionFactory.CreateOptions(options);
        try { session = new InferenceSession(modelPath, sessionOptions); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"{modelPath}: ONNX Runtime cannot load it: {e.Message}", e); }
        try
        {
            Info = OnnxModelInfo.Read(session, modelPath);
            InputHeight = Info.Height ?? options.ImageSize ?? Info.MetadataImageSize?[0] ?? 640;
            InputWidth = Info.Width ?? options.ImageSize ?? Info.MetadataImageSize?[^1] ?? 640;
        }
        catch
        {
            session.Dispose();
            throw;
        }
        nms = new NmsOptions(options.Conf, options.Iou, options.MaxDet, options.MultiLabel);
        Threads = options.Threads;
        MaxRunPixels = options.MaxRunPixels ?? (OnnxSessionFactory.CudaDevice(options.Device) is null ? OnnxDetectorOptions.CpuRunPixels : 0);
    }

    /// <summary>Detections in <paramref name="imagePath"/>'s pixels, best first.</summary>
    /// <exception cref="InvalidDataException">The image cannot be decoded.</exception>
    public List<Detection> Detect(string imagePath)
    {
        using var image = ImageFile.Read(imagePath);
        return Detect(image, imagePath);
    }

    /// <summary>Detections in the image's pixels, best first.</summary>
    /// <param name="image">An 8-bit BGR image, as OpenCV reads it (not modified).</param>
    public List<Detection> Detect(Mat image, string path = "")
    {
        var input = InferenceInput.Prepare(image, path, InputHeight, InputWidth, Stride, auto: FixedInputSize is null);
        var output = Forward(input.Chw, 1, input.Height, input.Width, out int anchors);
        return DetectionPostprocess.Run(output, anchors, NumClasses, nms, input.Info);
    }

    /// <inheritdoc />
    /// <remarks>A model exported with a fixed batch runs the images in groups of that size (the last group zero-padded).</remarks>
    /// <exception cref="ArgumentException">The size differs from a fixed-size model's, or the array is shorter than batch x 3 x height x width.</exception>
    public float[] Forward(float[] images, int batch, int height, int width, out int anchors)
    {
        float[]? output = null;
        Forward(images, batch, height, width, ref output, out anchors);
        return output!;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The size differs from a fixed-size model's, or the array is shorter than batch x 3 x height x width.</exception>
    public int Forward(float[] images, int batch, int height, int width, ref float[]? output, out int anchors)
    {
        if (images.Length < (long)batch * 3 * height * width)
            throw new ArgumentException($"images has {images.Length} floats, fewer than {batch}x3x{height}x{width}");
        if ((Info.Height is { } h && h != height) || (Info.Width is { } w && w != width))
            throw new ArgumentException($"the model takes {Info.Height}x{Info.Width} images (exported with a fixed size), got {height}x{width}; use imgsz={Info.Height} or export with dynamic=true");
        // A fixed-batch model runs in groups of its batch (the last one padded); a dynamic one in groups of at most
        // MaxRunPixels (CPU: large batches ran slower per image and held more memory).
        int group = Info.Batch ?? PixelBudget.ImagesPerRun(MaxRunPixels, batch, height, width);
        int plane = 3 * height * width, perImage = 0;
        anchors = 0;
        for (int start = 0; start < batch; start += group)
        {
            int n = Math.Min(group, batch - start), runBatch = Info.Batch ?? n;
            var chunk = n == runBatch ? new Memory<float>(images, start * plane, n * plane) : Padded(images, start * plane, n * plane, runBatch * plane);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, chunk, [runBatch, 3, height, width]);
            // Disposed after the call: a RunOptions collected by the GC during Run frees its native object under ONNX Runtime.
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [Info.InputName], [input], [Info.OutputName]);
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            anchors = (int)shape[2];
            if (start == 0)
            {
                perImage = (int)(shape[1] * shape[2]);
                if (output is null || output.Length < batch * perImage) output = new float[batch * perImage];
            }
            outputs[0].GetTensorDataAsSpan<float>()[..(n * perImage)].CopyTo(output.AsSpan(start * perImage));
        }
        output ??= [];
        return batch * perImage;
    }

    static Memory<float> Padded(float[] source, int offset, int count, int size)
    {
        var padded = new float[size];
        Array.Copy(source, offset, padded, 0, count);
        return padded;
    }

    public void Dispose() => session.Dispose();
}
