using Forge.Core.Detection;
using Forge.Data.Datasets;
using Forge.Data.Loading;
using Forge.Deploy;
using Forge.Models;
using Forge.Models.Loss;
using Forge.Training;
using Forge.Training.Tests.Integration;
using Forge.Training.Validation;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Forge.Export.Tests;

/// <summary>Validation with the ONNX file gives the weights' mAP50 and mAP50-95 (± 0.0005): same data, letterbox, NMS, metrics.</summary>
public sealed class ValParityTests(ITestOutputHelper output)
{
    const double Tolerance = 0.0005;
    const int Size = 64;

    static readonly NmsOptions ValNms = new(0.001f, 0.7f, 300, MultiLabel: true);

    sealed class InOrder(int count) : IIndexSampler
    {
        public int Count => count;
        public int[] EpochIndices(int epoch) => Enumerable.Range(0, count).ToArray();
    }

    /// <summary>Trains a fresh YOLOv8n on one batch of images until it knows them (AdamW, no augmentation, BatchNorm statistics
    /// of that batch): a model with a real mAP on those images in seconds, unlike a few epochs of ordinary training.</summary>
    static YoloDetector Overfit(DatasetIndex index, int imgsz, int steps)
    {
        var model = Forge.Testing.SeededWeights.Reset(new YoloDetector(ModelScale.N, index.NumClasses), 0);
        var loss = new DetectionLoss(model);
        var loader = new BatchLoader(new DetectionDataset(index, imgsz, augment: false), new LoaderOptions { BatchSize = index.Count, Workers = 0 }, new InOrder(index.Count));
        using var batch = loader.Epoch(0, mosaicEnabled: false).First();
        using var images = BatchTensors.Images(batch, CPU);
        using var targets = BatchTensors.Targets(batch, CPU);
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.002, weight_decay: 0);
        model.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (l, _) = loss.Compute(model.forward(images), targets, batch.Height, batch.Width);
            l.backward();
            optimizer.step();
        }
        // BatchNorm's running statistics (momentum 0.03) lag far behind after so few steps: set them to this batch's.
        using (no_grad())
        {
            foreach (var m in model.modules())
                if (m is TorchSharp.Modules.BatchNorm2d bn) bn.momentum = 1.0;
            model.forward(images).Dispose();
        }
        model.eval();
        return model;
    }

    /// <summary>The export a validation can run: dynamic for rectangular batches, else fixed at the square batch size.</summary>
    static OnnxExportOptions ExportFor(bool rect, int imgsz) => new() { ImageHeight = imgsz, ImageWidth = imgsz, Dynamic = rect };

    static Validator NewValidator(DatasetIndex index, string[] names, int imgsz, int batch, int workers, bool rect) =>
        new(index, names, imgsz, batch, workers, CPU, ValNms, rect: rect, stride: 32);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Shapes_mAP_with_the_onnx_file_equals_the_weights_mAP(bool rect)
    {
        using var temp = new TempDirectory("forge-onnx-val-");
        var yaml = TinyDatasets.Shapes(temp.Combine("shapes"), trainImages: 8, valImages: 4);
        var spec = DatasetResolver.Load(yaml);
        var index = DatasetIndex.Build(spec.Train, spec.NumClasses, new DataIssueLog(TextWriter.Null), "train");
        using var model = Overfit(index, Size, steps: 80);
        var path = temp.Combine("overfit.onnx");
        OnnxExporter.Export(model, ExportFor(rect, Size), new ExportDescription(spec.Names, "yolov8n", "shapes", "test"), path);
        using var onnx = new OnnxDetector(path);

        var weights = NewValidator(index, spec.Names, Size, 4, 0, rect).Run(model).Metrics;
        var exported = NewValidator(index, spec.Names, Size, 4, 0, rect).Run(onnx).Metrics;
        output.WriteLine($"rect={rect}");
        output.WriteLine($"weights: P {weights.Precision:0.0000} R {weights.Recall:0.0000} mAP50 {weights.Map50:0.00000} mAP50-95 {weights.Map50To95:0.00000}");
        output.WriteLine($"onnx:    P {exported.Precision:0.0000} R {exported.Recall:0.0000} mAP50 {exported.Map50:0.00000} mAP50-95 {exported.Map50To95:0.00000}");
        Assert.True(weights.Map50 > 0.3, $"the overfit model should know its images (mAP50 {weights.Map50:0.000}); the comparison means little otherwise");
        Assert.Equal(weights.Map50, exported.Map50, Tolerance);
        Assert.Equal(weights.Map50To95, exported.Map50To95, Tolerance);
    }

    [Fact]
    public void A_fixed_size_export_refuses_rectangular_batches_saying_what_to_do()
    {
        using var temp = new TempDirectory("forge-onnx-val-");
        var spec = DatasetResolver.Load(TinyDatasets.Shapes(temp.Combine("shapes"), trainImages: 2, valImages: 2));
        var index = TinyDatasets.ValIndex(spec);
        using var model = TestModels.Random(ModelScale.N, spec.NumClasses, seed: 4);
        var path = temp.Combine("fixed.onnx");
        OnnxExporter.Export(model, ExportFor(rect: false, Size), new ExportDescription(spec.Names, "yolov8n", "shapes", "test"), path);
        using var onnx = new OnnxDetector(path);
        // 96x96 images at imgsz 64: rectangular batches are 96x96 (ceil(64/32 + 0.5) * 32), not the export's 64x64.
        var e = Assert.Throws<ArgumentException>(() => NewValidator(index, spec.Names, Size, 2, 0, rect: true).Run(onnx));
        Assert.Contains("rect=false", e.Message);
        Assert.Contains("dynamic=true", e.Message);
    }

    [Coco128Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Coco128_mAP_with_the_onnx_export_of_the_COCO_model_equals_the_weights_mAP(bool rect)
    {
        const int size = 320;   // 640 (4x the work) is measured by 'forge bench onnx-val'
        var spec = DatasetResolver.Load(Path.Combine(SharedFixtures.Coco128!, "data.yaml"));
        var index = TinyDatasets.ValIndex(spec);
        var (model, names) = ModelFactory.FromCheckpoint(SharedFixtures.Yolov8nCoco!);
        using var _ = model;
        var path = TestModels.TempPath("coco-val.onnx");
        OnnxExporter.Export(model, ExportFor(rect, size), new ExportDescription(names, "yolov8n", "coco128", "test"), path);
        using var onnx = new OnnxDetector(path);
        var weights = NewValidator(index, names, size, 16, 2, rect).Run(model).Metrics;
        var exported = NewValidator(index, names, size, 16, 2, rect).Run(onnx).Metrics;
        output.WriteLine($"COCO128 val at {size}, rect={rect}: weights mAP50 {weights.Map50:0.00000} mAP50-95 {weights.Map50To95:0.00000}; onnx mAP50 {exported.Map50:0.00000} mAP50-95 {exported.Map50To95:0.00000}");
        Assert.InRange(weights.Map50, 0.40, 0.60);   // the fixture README: 0.49 at 320
        Assert.Equal(weights.Map50, exported.Map50, Tolerance);
        Assert.Equal(weights.Map50To95, exported.Map50To95, Tolerance);
    }
}
