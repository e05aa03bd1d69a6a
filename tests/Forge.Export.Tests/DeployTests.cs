using Forge.Torch;
using System.Reflection;
using Forge.Core.Detection;
using Forge.Data.Imaging;
using Forge.Deploy;
using Forge.Models;
using Forge.Training;
using Forge.Training.Prediction;
using OpenCvSharp;

namespace Forge.Export.Tests;

/// <summary>Forge.Deploy: ONNX Runtime inference with the TorchSharp path's pre- and post-processing, and no libtorch.</summary>
public sealed class DeployTests
{
    [Fact]
    public void The_deploy_library_depends_on_no_TorchSharp_assembly()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([typeof(OnnxDetector).Assembly.GetName()]);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name is "mscorlib" or "netstandard") continue;
            foreach (var r in Assembly.Load(name).GetReferencedAssemblies()) pending.Push(r);
        }
        Assert.Contains("Microsoft.ML.OnnxRuntime", seen);
        Assert.DoesNotContain(seen, n => n.Contains("Torch", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_sample_app_output_holds_no_libtorch_or_TorchSharp_files()
    {
        // This project references the sample (without its assembly) so it is built first, in the same configuration.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));   // .../bin/<config>/<tfm>
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Forge.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var folder = Path.Combine(root.FullName, "samples", "Forge.Deploy.Sample", "bin", testBin.Parent!.Name, testBin.Name);
        var deps = Path.Combine(folder, "Forge.Deploy.Sample.deps.json");
        Assert.True(File.Exists(deps), $"{deps} not found: the sample was not built");
        Assert.DoesNotContain("torch", File.ReadAllText(deps), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Directory.GetFiles(folder, "*", SearchOption.AllDirectories),
                              f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase));
        Assert.True(File.Exists(Path.Combine(folder, "Microsoft.ML.OnnxRuntime.dll")));
    }

    /// <summary>A BGR image: a reddish block in the middle of dark noise, with a horizontal gradient in the red channel.</summary>
    static Mat Pattern(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var image = new Mat(height, width, MatType.CV_8UC3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool inside = Math.Abs(x - width / 2) < width / 4 && Math.Abs(y - height / 2) < height / 3;
                image.Set(y, x, new Vec3b((byte)(x * 255 / width), (byte)(inside ? 30 : rng.Next(40)), (byte)(inside ? 220 : rng.Next(40))));
            }
        return image;
    }

    /// <summary>A random detector whose class scores start near 0.5, so it reports boxes at predict thresholds.</summary>
    static YoloDetector Confident(int numClasses, int seed)
    {
        var model = TestModels.Random(ModelScale.N, numClasses, seed);
        using var _ = TorchSharp.torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("model.22.cv3.", StringComparison.Ordinal) && name.EndsWith(".2.bias", StringComparison.Ordinal)) p.fill_(HeldScalars.Zero);
        return model;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Detect_is_the_predictors_letterbox_forward_nms_and_mapping_back(bool dynamic)
    {
        using var model = Confident(3, seed: 6);
        var path = TestModels.TempPath("detect.onnx");
        OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 96, ImageWidth = 96, Dynamic = dynamic }, TestModels.Description(3), path);
        using var onnx = new OnnxDetector(path, new OnnxDetectorOptions { Conf = 0.25f });
        // Fixed size: the 96x96 export size; dynamic: the metadata's imgsz (96) with minimal padding (150x100 -> 96x64).
        Assert.Equal(dynamic ? null : (96, 96), onnx.FixedInputSize);
        using var image = Pattern(150, 100, seed: 1);
        var direct = onnx.Detect(image, "pattern");
        var viaPredictor = new Predictor(onnx, onnx.Names, 96, new NmsOptions(0.25f)).Predict(image, "pattern").Detections;
        Assert.NotEmpty(direct);
        Assert.Equal(viaPredictor, direct);
        Assert.All(direct, d => Assert.True(d.Box.X1 >= 0 && d.Box.Y1 >= 0 && d.Box.X2 <= 150 && d.Box.Y2 <= 100, $"{d.Box} outside the 150x100 image"));
    }

    [Fact]
    public void A_fixed_batch_model_runs_any_number_of_images_in_groups()
    {
        using var model = TestModels.Random(ModelScale.N, 2, seed: 7);
        var path = TestModels.TempPath("batch2.onnx");
        var result = OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, Batch = 2 }, TestModels.Description(2), path);
        Assert.Equal("[2, 3, 64, 64]", result.InputShape);
        using var onnx = new OnnxDetector(path);
        var parity = OnnxParity.Compare(model, onnx, OnnxParity.RandomImages(3, 64, 64, seed: 8), 3, 64, 64);
        Assert.Equal([3L, 6, 84], parity.Shape);
        Assert.True(parity.Within(1e-4), parity.ToString());
    }

    /// <summary>
    /// A dynamic-batch model on the CPU runs a long batch in groups of at most MaxRunPixels (default one 640x640 image):
    /// each image's output is what a run of the whole batch gives, and what TorchSharp gives. 64x64 images: a budget of
    /// 3 x 64 x 64 pixels runs 5 images as 3 + 2, one below 64 x 64 still takes one image per run.
    /// </summary>
    [Fact]
    public void A_dynamic_batch_model_runs_a_long_batch_in_groups_of_at_most_MaxRunPixels()
    {
        using var model = TestModels.Random(ModelScale.N, 2, seed: 11);
        var path = TestModels.TempPath("dynamic-groups.onnx");
        OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64, Dynamic = true }, TestModels.Description(2), path);
        var images = OnnxParity.RandomImages(5, 64, 64, seed: 12);
        using var whole = new OnnxDetector(path, new OnnxDetectorOptions { MaxRunPixels = 0 });
        var reference = whole.Forward(images, 5, 64, 64, out int anchors);
        using (var byDefault = new OnnxDetector(path)) Assert.Equal(OnnxDetectorOptions.CpuRunPixels, byDefault.MaxRunPixels);
        foreach (long pixels in new long[] { 3 * 64 * 64, 100 })
        {
            using var grouped = new OnnxDetector(path, new OnnxDetectorOptions { MaxRunPixels = pixels });
            var output = grouped.Forward(images, 5, 64, 64, out int groupedAnchors);
            Assert.Equal(anchors, groupedAnchors);
            Assert.Equal(reference.Length, output.Length);
            // Per-image results do not depend on the batch in ONNX Runtime's CPU kernels up to float32 summation order.
            double worst = reference.Zip(output, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
            Assert.True(worst <= 1e-5, $"MaxRunPixels={pixels}: largest relative difference {worst:0.0e+0} from one run of the batch");
            var parity = OnnxParity.Compare(model, grouped, images, 5, 64, 64);
            Assert.True(parity.Within(1e-4), parity.ToString());
        }

        // Into a caller's buffer: written at the start of a long enough one, a short one replaced.
        float[]? buffer = Enumerable.Repeat(float.NaN, reference.Length + 50).ToArray();
        var kept = buffer;
        Assert.Equal(reference.Length, whole.Forward(images, 5, 64, 64, ref buffer, out _));
        Assert.Same(kept, buffer);
        Assert.Equal(reference, kept[..reference.Length]);
        Assert.All(kept[reference.Length..], v => Assert.True(float.IsNaN(v)));
        float[]? shortBuffer = new float[10];
        Assert.Equal(reference.Length, whole.Forward(images, 5, 64, 64, ref shortBuffer, out _));
        Assert.Equal(reference, shortBuffer);
    }

    [Fact]
    public void Wrong_input_sizes_and_devices_are_errors_that_say_what_to_do()
    {
        using var model = TestModels.Random(ModelScale.N, 2, seed: 9);
        var path = TestModels.TempPath("fixed.onnx");
        OnnxExporter.Export(model, new OnnxExportOptions { ImageHeight = 64, ImageWidth = 64 }, TestModels.Description(2), path);
        using var onnx = new OnnxDetector(path);
        var size = Assert.Throws<ArgumentException>(() => onnx.Forward(new float[3 * 96 * 96], 1, 96, 96, out _));
        Assert.Contains("dynamic=true", size.Message);
        var cuda = Assert.Throws<InvalidOperationException>(() => new OnnxDetector(path, new OnnxDetectorOptions { Device = "cuda:0" }));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", cuda.Message);
        Assert.Throws<ArgumentException>(() => new OnnxDetector(path, new OnnxDetectorOptions { Device = "gpu" }));
        Assert.Throws<FileNotFoundException>(() => new OnnxDetector(path + ".missing"));
        File.WriteAllText(path + ".bad", "not a model");
        Assert.Throws<InvalidDataException>(() => new OnnxDetector(path + ".bad"));
    }

    [SharedFixtureFact]
    public void Coco_model_finds_the_same_objects_with_ONNX_Runtime_as_with_TorchSharp()
    {
        using var image = SharedFixtures.Coco128 is { } coco   // a real photo when COCO128 is here too
            ? ImageFile.Read(Directory.GetFiles(Path.Combine(coco, "images", "val2017"), "*.jpg").Order(StringComparer.Ordinal).First())
            : Pattern(640, 480, seed: 3);
        var (model, names) = ModelFactory.FromCheckpoint(SharedFixtures.Yolov8nCoco!);
        using var _ = model;
        var path = TestModels.TempPath("coco.onnx");
        // Dynamic, so ONNX Runtime gets the same minimal-padding letterbox as the TorchSharp predictor.
        OnnxExporter.Export(model, new OnnxExportOptions { Dynamic = true }, new ExportDescription(names, "yolov8n", null, "test"), path);
        using var onnx = new OnnxDetector(path, new OnnxDetectorOptions { ImageSize = 640 });
        var ort = onnx.Detect(image);
        var torch = new Predictor(model, names, 640, TorchSharp.torch.CPU).Predict(image, "").Detections;
        Assert.Equal(torch.Count, ort.Count);
        for (int i = 0; i < ort.Count; i++)
        {
            Assert.Equal(torch[i].ClassId, ort[i].ClassId);
            Assert.Equal(torch[i].Score, ort[i].Score, 1e-4);
            foreach (var (a, b) in new[] { (torch[i].Box.X1, ort[i].Box.X1), (torch[i].Box.Y1, ort[i].Box.Y1), (torch[i].Box.X2, ort[i].Box.X2), (torch[i].Box.Y2, ort[i].Box.Y2) })
                Assert.Equal(a, b, 0.01);
        }
    }
}
