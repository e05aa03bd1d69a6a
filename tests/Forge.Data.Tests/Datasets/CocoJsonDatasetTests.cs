using System.Globalization;
using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

/// <summary>
/// COCO json datasets (instances_*.json beside an image folder, as MMDetection and DAMO-YOLO keep them): data.yaml points
/// train/val at the json, category ids become contiguous class ids in id order with names from 'categories', bbox
/// [x, y, w, h] pixels become normalised centre/size exactly, iscrowd regions are kept apart from the training labels.
/// </summary>
public class CocoJsonDatasetTests
{
    /// <summary>coco/annotations/instances_{train,val}2017.json and coco/{train,val}2017/*.png with hand-made annotations.</summary>
    static TempFolder CocoLayout(string imagesFolder = "{0}")
    {
        var t = new TempFolder();
        foreach (var split in new[] { "train2017", "val2017" })
        {
            string folder = string.Format(CultureInfo.InvariantCulture, imagesFolder, split);
            t.WriteImage($"coco/{folder}/a.png", 100, 50, 1);
            t.WriteImage($"coco/{folder}/b.png", 40, 80, 2);
            t.WriteImage($"coco/{folder}/c.png", 30, 30, 3);
            t.WriteText($"coco/annotations/instances_{split}.json", """
            {
              "info": {"description": "hand-made"},
              "images": [
                {"id": 7, "file_name": "a.png", "width": 100, "height": 50},
                {"id": 9, "file_name": "b.png", "width": 40, "height": 80},
                {"id": 11, "file_name": "c.png", "width": 30, "height": 30}
              ],
              "annotations": [
                {"id": 1, "image_id": 7, "category_id": 18, "bbox": [10, 5, 30, 20], "area": 600, "iscrowd": 0, "segmentation": [[10, 5, 40, 5, 40, 25]]},
                {"id": 2, "image_id": 7, "category_id": 1, "bbox": [50.5, 10.25, 20, 30], "area": 600, "iscrowd": 0},
                {"id": 3, "image_id": 7, "category_id": 1, "bbox": [0, 0, 100, 50], "area": 5000, "iscrowd": 1, "segmentation": {"counts": [0, 5000], "size": [50, 100]}},
                {"id": 4, "image_id": 9, "category_id": 44, "bbox": [4, 8, 12, 40], "area": 480, "iscrowd": 0},
                {"id": 5, "image_id": 9, "category_id": 99, "bbox": [4, 8, 12, 40], "area": 480, "iscrowd": 0},
                {"id": 6, "image_id": 9, "category_id": 18, "bbox": [1, 1, 0, 10], "area": 0, "iscrowd": 0}
              ],
              "categories": [{"id": 44, "name": "bottle"}, {"id": 1, "name": "person"}, {"id": 18, "name": "dog"}]
            }
            """);
        }
        return t;
    }

    [Fact]
    public void A_data_yaml_pointing_at_coco_json_reads_names_classes_and_boxes()
    {
        using var t = CocoLayout();
        string yaml = t.WriteText("coco/data.yaml", "path: .\ntrain: annotations/instances_train2017.json\nval: annotations/instances_val2017.json\n");
        var spec = DataYaml.Load(yaml);
        Assert.Equal(["person", "dog", "bottle"], spec.Names);   // categories in id order: 1, 18, 44

        var log = new DataIssueLog(TextWriter.Null);
        var index = DatasetIndex.Build(spec.Train, spec.NumClasses, log, "train", cocoImages: spec.CocoImagesFor);
        Assert.Equal(["a.png", "b.png", "c.png"], index.Items.Select(i => Path.GetFileName(i.ImagePath)));
        Assert.Equal(t.Full("coco/train2017/a.png"), index.Items[0].ImagePath);

        var a = index.Items[0];
        // bbox [10, 5, 30, 20] in a 100x50 image: centre (25, 15), size 30x20 -> normalised exactly in float64 then stored.
        Assert.Equal([new ObjectLabel(1, 0.25f, 0.3f, 0.3f, 0.4f), new ObjectLabel(0, (float)(60.5 / 100), (float)(25.25 / 50), 0.2f, 0.6f)], a.Labels);
        Assert.NotNull(a.PixelBoxes);
        Assert.Equal(new Forge.Core.Geometry.BoxF(50.5f, 10.25f, 70.5f, 40.25f), a.PixelBoxes![1]);
        var crowd = Assert.Single(a.Crowd);                       // iscrowd: not a training label
        Assert.Equal((0, new Forge.Core.Geometry.BoxF(0, 0, 100, 50)), (crowd.ClassId, crowd.Box));
        Assert.Equal(t.Full("coco/annotations/instances_train2017.json"), a.LabelPath);

        var b = index.Items[1];
        Assert.Equal([new ObjectLabel(2, 0.25f, 0.35f, 0.3f, 0.5f)], b.Labels);
        Assert.True(index.Items[2].IsBackground);                 // an image without annotations
        Assert.Contains(log.Issues, i => i.Kind == DataIssueKind.UnknownCategory && i.Message.Contains("category_id 99"));
        Assert.Contains(log.Issues, i => i.Kind == DataIssueKind.NonPositiveSize && i.Message.StartsWith("annotation 6 (b.png)"));
    }

    [Fact]
    public void The_image_folder_can_be_named_when_it_is_not_beside_the_annotations()
    {
        using var t = CocoLayout("pictures/{0}");
        string yaml = t.WriteText("coco/data.yaml",
            "path: .\ntrain: {json: annotations/instances_train2017.json, images: pictures/train2017}\nval:\n  - json: annotations/instances_val2017.json\n    images: pictures/val2017\nnames: [p, d, b]\n");
        var spec = DataYaml.Load(yaml);
        Assert.Equal(["p", "d", "b"], spec.Names);                // data.yaml's own names win, in the json's class order
        var index = DatasetIndex.Build(spec.Val, spec.NumClasses, new DataIssueLog(TextWriter.Null), "val", cocoImages: spec.CocoImagesFor);
        Assert.Equal(t.Full("coco/pictures/val2017/a.png"), index.Items[0].ImagePath);

        // Without images: the usual layouts are tried and named in the error.
        string bare = t.WriteText("coco/bare.yaml", "path: .\ntrain: annotations/instances_train2017.json\nval: annotations/instances_val2017.json\n");
        var bareSpec = DataYaml.Load(bare);
        var e = Assert.Throws<InvalidDataException>(() => DatasetIndex.Build(bareSpec.Train, 3, new DataIssueLog(TextWriter.Null), "train", cocoImages: bareSpec.CocoImagesFor));
        Assert.Contains(t.Full("coco/train2017"), e.Message);
        Assert.Contains("images:", e.Message);
    }

    [Fact]
    public void Names_that_disagree_with_the_categories_are_an_error()
    {
        using var t = CocoLayout();
        string yaml = t.WriteText("coco/data.yaml", "path: .\ntrain: annotations/instances_train2017.json\nval: annotations/instances_val2017.json\nnames: [a, b]\n");
        var e = Assert.Throws<InvalidDataException>(() => DataYaml.Load(yaml));
        Assert.Contains("names lists 2 classes but the COCO json has 3 categories", e.Message);
    }

    [Fact]
    public void Splits_with_different_categories_are_refused()
    {
        using var t = CocoLayout();
        var val = t.Full("coco/annotations/instances_val2017.json");
        File.WriteAllText(val, File.ReadAllText(val).Replace("{\"id\": 44, \"name\": \"bottle\"}", "{\"id\": 45, \"name\": \"bottle\"}"));
        string yaml = t.WriteText("coco/data.yaml", "path: .\ntrain: annotations/instances_train2017.json\nval: annotations/instances_val2017.json\n");
        var e = Assert.Throws<InvalidDataException>(() => DataYaml.Load(yaml));
        Assert.Contains("list different category ids", e.Message);
    }

    [Fact]
    public void A_broken_json_names_the_file()
    {
        using var t = new TempFolder();
        string json = t.WriteText("annotations/instances_x.json", "{\"images\": [ {\"id\": 1,, } ]}");
        var e = Assert.Throws<InvalidDataException>(() => CocoJson.Load(json));
        Assert.Contains(json, e.Message);
        Assert.Contains("not a valid COCO json", e.Message);
    }
}
