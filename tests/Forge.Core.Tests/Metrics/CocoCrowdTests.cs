namespace Forge.Core.Tests.Metrics;

using System.Text.Json;
// Imported inside the namespace: from here the name "Detection" would otherwise resolve to a namespace.
using Forge.Core.Detection;
using Forge.Core.Geometry;
using Forge.Core.Metrics;

/// <summary>
/// iscrowd regions are handled as pycocotools handles them: a detection matched to a crowd region (by intersection over
/// its own area) counts as neither true nor false positive, and crowd regions are no instances. Reference: pycocotools'
/// own COCOeval on a hand-made COCO json with 11 crowd regions among 33 annotations (Fixtures/make_coco_eval_fixture.py).
/// </summary>
public class CocoCrowdTests
{
    static JsonElement Read(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", file)));
        return doc.RootElement.Clone();
    }

    static BoxF FromXywh(JsonElement b)
    {
        double x = b[0].GetDouble(), y = b[1].GetDouble(), w = b[2].GetDouble(), h = b[3].GetDouble();
        return new BoxF((float)x, (float)y, (float)(x + w), (float)(y + h));
    }

    static DetectionMetrics Evaluate(bool withCrowd)
    {
        var gt = Read("coco_gt.json");
        var dt = Read("coco_dt.json");
        var catIds = gt.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()).Order().ToList();
        var ev = new DetectionEvaluator(catIds.Count);
        foreach (var img in gt.GetProperty("images").EnumerateArray())
        {
            int id = img.GetProperty("id").GetInt32();
            var anns = gt.GetProperty("annotations").EnumerateArray().Where(a => a.GetProperty("image_id").GetInt32() == id).ToList();
            var regular = anns.Where(a => a.GetProperty("iscrowd").GetInt32() == 0)
                .Select(a => new LabeledBox(FromXywh(a.GetProperty("bbox")), catIds.IndexOf(a.GetProperty("category_id").GetInt32()))).ToList();
            var crowd = anns.Where(a => a.GetProperty("iscrowd").GetInt32() != 0)
                .Select(a => new LabeledBox(FromXywh(a.GetProperty("bbox")), catIds.IndexOf(a.GetProperty("category_id").GetInt32()))).ToList();
            var dets = dt.EnumerateArray().Where(d => d.GetProperty("image_id").GetInt32() == id)
                .Select(d => new Detection(FromXywh(d.GetProperty("bbox")), d.GetProperty("score").GetSingle(), catIds.IndexOf(d.GetProperty("category_id").GetInt32()))).ToList();
            ev.AddImage(dets, regular, withCrowd ? crowd : null);
        }
        return ev.Compute();
    }

    [Fact]
    public void Crowd_regions_are_ignored_like_pycocotools()
    {
        var expected = Read("coco_expected.json");
        var m = Evaluate(withCrowd: true);
        Assert.Equal(expected.GetProperty("map").GetDouble(), m.Map50To95, 1e-9);
        Assert.Equal(expected.GetProperty("map50").GetDouble(), m.Map50, 1e-9);
        Assert.Equal(expected.GetProperty("map75").GetDouble(), m.Map75, 1e-9);
        var ap = expected.GetProperty("ap").EnumerateArray().ToArray();
        for (int c = 0; c < ap.Length; c++)
            for (int t = 0; t < 10; t++)
                Assert.Equal(ap[c][t].GetDouble(), m.ApPerClassPerIou[c, t], 1e-9);
    }

    [Fact]
    public void Without_the_crowd_regions_their_detections_would_be_false_positives()
    {
        var ignored = Evaluate(withCrowd: true);
        var dropped = Evaluate(withCrowd: false);
        Assert.True(dropped.Map50 < ignored.Map50 - 0.01, $"AP50 {dropped.Map50} without crowd handling vs {ignored.Map50}");
        Assert.Equal(ignored.InstanceCount, dropped.InstanceCount);   // crowd regions are never instances
    }

    [Fact]
    public void A_detection_inside_a_crowd_region_is_excused_but_one_beside_it_is_not()
    {
        var crowd = new LabeledBox(new BoxF(0, 0, 100, 100), 0);
        var person = new LabeledBox(new BoxF(200, 0, 220, 40), 0);
        var ev = new DetectionEvaluator(1);
        ev.AddImage([new Detection(new BoxF(10, 10, 30, 50), 0.9f, 0), new Detection(person.Box, 0.8f, 0)], [person], [crowd]);
        Assert.Equal(1.0, ev.Compute().Map50, 1e-12);   // the small box inside the crowd: IoU = its own area / its own area = 1
        var ev2 = new DetectionEvaluator(1);
        ev2.AddImage([new Detection(new BoxF(90, 90, 130, 130), 0.9f, 0), new Detection(person.Box, 0.8f, 0)], [person], [crowd]);
        Assert.True(ev2.Compute().Map50 < 0.6);          // only 1/16 of it lies in the crowd: a false positive ranked first
    }
}
