using Forge.Core.Metrics;
using Forge.Data.Datasets;
using Forge.Training.Tests.Integration;
using Forge.Training.Validation;
using TorchSharp;
using Xunit.Abstractions;

namespace Forge.Training.Tests.Parity;

/// <summary>
/// `forge val` against Ultralytics 8.3.57's own numbers for the same weights on COCO128 val (shared/fixtures/README.md:
/// torch 1.13 CPU, OpenCV 4.6, conf 0.001, iou 0.7, max_det 300, batch 16), at 640 and 320, with rectangular batches
/// (Ultralytics' default) and with rect=False. Tolerance 0.003 on mAP50 and mAP50-95 (the bar); the measured
/// differences are printed.
/// </summary>
public sealed class UltralyticsValParityTests(ITestOutputHelper output)
{
    const double Tolerance = 0.003;

    [Coco128Fact]
    public void Val_matches_ultralytics_on_coco128_at_640_and_320_with_and_without_rect()
    {
        // imgsz, rect, channels_last (the default of forge val, train and predict; one case in NCHW), Ultralytics' P, R,
        // mAP50, mAP50-95 (fp32 weights).
        var cases = new (int Imgsz, bool Rect, bool ChannelsLast, double P, double R, double Map50, double Map5095)[]
        {
            (640, true, true, 0.65066, 0.53147, 0.59419, 0.43859),
            (640, false, true, 0.60932, 0.56360, 0.59615, 0.43422),
            (320, true, true, 0.47813, 0.46092, 0.47693, 0.34952),
            (320, true, false, 0.47813, 0.46092, 0.47693, 0.34952),
            (320, false, true, 0.55892, 0.43769, 0.49363, 0.35869),
        };
        var spec = DataYaml.Load(Coco128Fixture.DataYaml!);
        var index = TinyDatasets.ValIndex(spec);
        var (model, names) = ModelFactory.FromCheckpoint(Coco128Fixture.Weights!);
        using (model)
        {
            var failures = new List<string>();
            foreach (var c in cases)
            {
                var validator = new Validator(index, names, c.Imgsz, batch: 16, workers: 2, torch.CPU, rect: c.Rect, apMethod: ApMethod.Ultralytics,
                                              channelsLast: c.ChannelsLast);
                var m = validator.Run(model).Metrics;
                string line = $"imgsz={c.Imgsz} rect={c.Rect} channels_last={c.ChannelsLast}: P {m.Precision:0.00000} R {m.Recall:0.00000} mAP50 {m.Map50:0.00000} mAP50-95 {m.Map50To95:0.00000}" +
                              $" | Ultralytics {c.P:0.00000} {c.R:0.00000} {c.Map50:0.00000} {c.Map5095:0.00000}" +
                              $" | diff mAP50 {m.Map50 - c.Map50:+0.00000;-0.00000} mAP50-95 {m.Map50To95 - c.Map5095:+0.00000;-0.00000}";
                output.WriteLine(line);
                if (Math.Abs(m.Map50 - c.Map50) > Tolerance || Math.Abs(m.Map50To95 - c.Map5095) > Tolerance) failures.Add(line);
            }
            Assert.True(failures.Count == 0, "outside 0.003 of Ultralytics:\n" + string.Join("\n", failures));
        }
    }
}
