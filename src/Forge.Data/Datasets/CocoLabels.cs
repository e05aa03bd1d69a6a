using System.Globalization;
using System.Text;
using Forge.Core.Detection;
using Forge.Core.Geometry;

namespace Forge.Data.Datasets;

/// <summary>
/// Converts one COCO image's annotations to Forge labels as Ultralytics' convert_coco does: bbox [x, y, w, h] in
/// pixels becomes centre/size normalised by the json's image width and height (in float64), category ids map to
/// contiguous class ids in id order, boxes with no width or height are skipped. iscrowd regions are kept apart (not
/// trained on, ignored by COCO-style evaluation like pycocotools does).
/// </summary>
internal static class CocoLabels
{
    public static LabelSet Convert(CocoJson file, CocoJson.Image image, List<CocoJson.Annotation> annotations, int decodedWidth, int decodedHeight,
        List<DataIssue> issues)
    {
        string source = file.Path;
        var labels = new List<ObjectLabel>(annotations.Count);
        var pixels = new List<BoxF>(annotations.Count);
        var crowd = new List<LabeledBox>();
        var text = new StringBuilder();
        int w = image.Width > 0 ? image.Width : decodedWidth, h = image.Height > 0 ? image.Height : decodedHeight;
        if (image.Width > 0 && image.Height > 0 && (image.Width != decodedWidth || image.Height != decodedHeight))
            issues.Add(new DataIssue(DataIssueKind.SizeMismatch, source, 0,
                $"image {image.Id} ({image.FileName}) is {image.Width}x{image.Height} in the json but decodes to {decodedWidth}x{decodedHeight}; boxes are read against the json's size",
                IssueAction.Fixed));
        foreach (var a in annotations)
        {
            string what = $"annotation {a.Id} ({image.FileName}): ";
            if (a.Bbox is not { Length: 4 } b || !b.All(double.IsFinite))
            {
                issues.Add(new DataIssue(DataIssueKind.WrongFieldCount, source, 0, what + "bbox must be 4 finite numbers [x, y, width, height]", IssueAction.Skipped));
                continue;
            }
            text.Append(CultureInfo.InvariantCulture, $"{a.CategoryId} {b[0]:R} {b[1]:R} {b[2]:R} {b[3]:R} {a.IsCrowd}\n");
            int cls = file.ClassOf(a.CategoryId);
            if (cls < 0)
            {
                issues.Add(new DataIssue(DataIssueKind.UnknownCategory, source, 0, what + $"category_id {a.CategoryId} is not in 'categories'", IssueAction.Skipped));
                continue;
            }
            var box = new BoxF((float)b[0], (float)b[1], (float)(b[0] + b[2]), (float)(b[1] + b[3]));
            if (a.IsCrowd != 0)
            {
                crowd.Add(new LabeledBox(box, cls));
                continue;
            }
            var label = LabelReader.Check(cls, (b[0] + b[2] / 2) / w, (b[1] + b[3] / 2) / h, b[2] / w, b[3] / h, source, 0, issues, what);
            if (label is not { } l) continue;
            labels.Add(l);
            pixels.Add(box);
        }
        var state = annotations.Count == 0 ? LabelFileState.Empty
            : labels.Count > 0 ? LabelFileState.Labeled
            : crowd.Count > 0 ? LabelFileState.Empty   // only crowd regions: a background for training, as convert_coco leaves it
            : LabelFileState.AllInvalid;
        return new LabelSet(state, labels.ToArray(), source, text.ToString(), pixels.ToArray(), crowd.ToArray());
    }
}
