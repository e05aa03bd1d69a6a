namespace Forge.Core.Tests.Metrics;

using System.Text.Json;
// Imported inside the namespace: from here the name "Detection" would otherwise resolve to a namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Core.Metrics;

/// <summary>
/// UltralyticsEvaluator gives Ultralytics' numbers: the fixture holds 40 synthetic images (jittered detections, false
/// positives, confidences rounded to 2 decimals so ties abound) and what Ultralytics 8.3.57's match_predictions and
/// ap_per_class computed for them (Fixtures/make_ap_fixture.py).
/// </summary>
public class UltralyticsEvaluatorTests
{
    static JsonElement Fixture()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ultralytics_ap.json")));
        return doc.RootElement.Clone();
    }

    static BoxF Box(JsonElement b) => new(b[0].GetSingle(), b[1].GetSingle(), b[2].GetSingle(), b[3].GetSingle());

    [Fact]
    public void Matches_ultralytics_ap_per_class_on_a_synthetic_validation()
    {
        var f = Fixture();
        var ev = new UltralyticsEvaluator(f.GetProperty("nc").GetInt32());
        foreach (var img in f.GetProperty("images").EnumerateArray())
        {
            var gtCls = img.GetProperty("gt_cls").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var gts = img.GetProperty("gt").EnumerateArray().Select((b, i) => new LabeledBox(Box(b), gtCls[i])).ToList();
            var predCls = img.GetProperty("pred_cls").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var conf = img.GetProperty("conf").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var dets = img.GetProperty("pred").EnumerateArray().Select((b, i) => new Detection(Box(b), conf[i], predCls[i])).ToList();
            ev.AddImage(dets, gts);
        }
        var m = ev.Compute();
        Assert.Equal(f.GetProperty("map50").GetDouble(), m.Map50, 1e-9);
        Assert.Equal(f.GetProperty("map").GetDouble(), m.Map50To95, 1e-9);
        Assert.Equal(f.GetProperty("mp").GetDouble(), m.Precision, 1e-9);
        Assert.Equal(f.GetProperty("mr").GetDouble(), m.Recall, 1e-9);
        var classes = f.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var ap = f.GetProperty("ap").EnumerateArray().ToArray();
        for (int k = 0; k < classes.Length; k++)
            for (int t = 0; t < 10; t++)
                Assert.Equal(ap[k][t].GetDouble(), m.ApPerClassPerIou[classes[k], t], 1e-9);
    }

    [Fact]
    public void A_ground_truth_goes_to_the_lowest_numbered_detection_whose_best_match_it_is()
    {
        // Two detections of one object: the second overlaps more, but match_predictions keeps each detection's best pair,
        // orders them by detection, and lets each ground truth take the first: detection 0 is the true positive.
        var ev = new UltralyticsEvaluator(1);
        var gt = new BoxF(0, 0, 10, 10);
        ev.AddImage([new Detection(new BoxF(0, 0, 10, 12), 0.9f, 0), new Detection(new BoxF(0, 0, 10, 10.5f), 0.8f, 0)], [new LabeledBox(gt, 0)]);
        var m = ev.Compute();
        // TP (0.9) then FP (0.8): precision 1 up to recall 1, where compute_ap's sentinel drops it to 0: the trapezoids give
        // 0.99 + 0.01 * (1 + 0) / 2 = 0.995. Had detection 1 taken the ground truth, AP50 would be about 0.4975.
        Assert.Equal(0.995, m.Map50, 12);
    }

    [Fact]
    public void Classes_without_ground_truth_are_left_out_and_missed_classes_count_zero()
    {
        var ev = new UltralyticsEvaluator(3);
        var a = new BoxF(0, 0, 10, 10);
        ev.AddImage([new Detection(a, 0.9f, 0), new Detection(a, 0.5f, 1)], [new LabeledBox(a, 0), new LabeledBox(new BoxF(20, 20, 30, 30), 2)]);
        var m = ev.Compute();
        Assert.Equal(2, m.ClassesWithGroundTruth);   // class 1 has a detection but no ground truth
        Assert.Equal(-1, m.Ap50PerClass[1]);
        Assert.Equal(0, m.Ap50PerClass[2]);
        Assert.Equal((m.Ap50PerClass[0] + 0) / 2, m.Map50, 12);
    }
}
