using System.Globalization;

namespace Forge.Data.Datasets;

/// <summary>What a label file turned out to be.</summary>
public enum LabelFileState
{
    /// <summary>No label file: the image is a background (no objects). Not an error.</summary>
    Missing,
    /// <summary>The file has no label lines: a background.</summary>
    Empty,
    /// <summary>The file has label lines and at least one is valid (others may have been skipped).</summary>
    Labeled,
    /// <summary>The file has label lines but every one was invalid: the image is left out, not trained as a background.</summary>
    AllInvalid,
    /// <summary>The file exists but cannot be read; the image should be skipped.</summary>
    Unreadable,
}

public readonly record struct LabelReadResult(LabelFileState State, ObjectLabel[] Labels);

/// <summary>
/// Parses YOLO label files ("class cx cy w h" per line, normalised). Problems are reported to the log and handled:
/// bad lines are skipped, boxes reaching out of the image are clipped, duplicates are dropped.
/// </summary>
public static class LabelReader
{
    /// <summary>Coordinates this far outside [0, 1] are rounding noise from exporters: clipped without a report.</summary>
    const float EdgeTolerance = 1e-6f;
    const float DuplicateTolerance = 1e-6f;

    public static LabelReadResult Read(string labelPath, int numClasses, DataIssueLog log)
    {
        var issues = new List<DataIssue>();
        var result = Read(labelPath, numClasses, issues, out _);
        foreach (var issue in issues) log.Report(issue);
        return result;
    }

    /// <summary>Reads and parses; issues go to <paramref name="issues"/>, the raw file text (null when missing) to <paramref name="text"/>.</summary>
    internal static LabelReadResult Read(string labelPath, int numClasses, List<DataIssue> issues, out string? text)
    {
        text = null;
        if (!File.Exists(labelPath)) return new LabelReadResult(LabelFileState.Missing, []);
        try { text = File.ReadAllText(labelPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            issues.Add(new DataIssue(DataIssueKind.UnreadableLabelFile, labelPath, 0, $"cannot read label file ({e.Message}); image left out", IssueAction.Skipped));
            return new LabelReadResult(LabelFileState.Unreadable, []);
        }
        return Parse(text, labelPath, numClasses, issues);
    }

    /// <summary>Parses label text; <paramref name="file"/> names the source in issues.</summary>
    public static LabelReadResult Parse(string text, string file, int numClasses, List<DataIssue> issues)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "number of classes must be positive");
        var labels = new List<ObjectLabel>();
        bool anyLine = false;
        int lineNo = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var fields = rawLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            anyLine = true;
            var label = ParseLine(fields, file, lineNo, numClasses, issues);
            if (label is not { } l) continue;
            if (IsDuplicate(labels, l))
            {
                issues.Add(new DataIssue(DataIssueKind.DuplicateLabel, file, lineNo, "duplicate of an earlier line (same class and box); dropped", IssueAction.Fixed));
                continue;
            }
            labels.Add(l);
        }
        var state = !anyLine ? LabelFileState.Empty : labels.Count > 0 ? LabelFileState.Labeled : LabelFileState.AllInvalid;
        return new LabelReadResult(state, labels.ToArray());
    }

    static ObjectLabel? ParseLine(string[] fields, string file, int line, int numClasses, List<DataIssue> issues)
    {
        void Skip(DataIssueKind kind, string message) => issues.Add(new DataIssue(kind, file, line, message, IssueAction.Skipped));

        // Ultralytics segmentation datasets store "class x1 y1 x2 y2 ... xn yn" (n >= 3 points): an odd count above 5.
        // Detection only needs the polygon's bounding box, so such lines are converted rather than rejected.
        bool polygon = fields.Length > 5 && fields.Length % 2 == 1;
        if (fields.Length != 5 && !polygon)
        {
            Skip(DataIssueKind.WrongFieldCount, $"expected 5 values 'class cx cy w h', found {fields.Length}");
            return null;
        }
        var values = new double[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                Skip(DataIssueKind.NotANumber, $"value {i + 1} '{fields[i]}' is not a finite number");
                return null;
            }
        }
        double cls = values[0];
        if (cls != Math.Floor(cls)) { Skip(DataIssueKind.BadClassId, $"class id {fields[0]} is not an integer"); return null; }
        if (cls < 0) { Skip(DataIssueKind.BadClassId, $"class id {fields[0]} is negative"); return null; }
        if (cls >= numClasses) { Skip(DataIssueKind.BadClassId, $"class id {fields[0]} is out of range: the dataset has {numClasses} classes (0..{numClasses - 1})"); return null; }

        double cx, cy, w, h;
        if (polygon)
        {
            double x1 = double.MaxValue, y1 = double.MaxValue, x2 = double.MinValue, y2 = double.MinValue;
            for (int i = 1; i < values.Length; i += 2)
            {
                x1 = Math.Min(x1, values[i]); x2 = Math.Max(x2, values[i]);
                y1 = Math.Min(y1, values[i + 1]); y2 = Math.Max(y2, values[i + 1]);
            }
            cx = (x1 + x2) / 2; cy = (y1 + y2) / 2; w = x2 - x1; h = y2 - y1;
        }
        else
        {
            cx = values[1]; cy = values[2]; w = values[3]; h = values[4];
        }

        var label = Check((int)cls, cx, cy, w, h, file, line, issues);
        if (label is not null && polygon)
            issues.Add(new DataIssue(DataIssueKind.PolygonLabel, file, line, $"polygon of {(fields.Length - 1) / 2} points replaced by its bounding box", IssueAction.Fixed));
        return label;
    }

    /// <summary>
    /// Checks one normalised box (centre and size, 0..1) of a valid class: a non-positive size or a centre outside the
    /// image skips it, a box reaching outside is clipped (reported as fixed). Issues name <paramref name="file"/>:<paramref name="line"/>
    /// and start with <paramref name="what"/> when given (e.g. a COCO annotation id).
    /// </summary>
    public static ObjectLabel? Check(int classId, double cx, double cy, double w, double h, string file, int line, List<DataIssue> issues, string what = "")
    {
        void Skip(DataIssueKind kind, string message) => issues.Add(new DataIssue(kind, file, line, what + message, IssueAction.Skipped));
        if (w <= 0 || h <= 0) { Skip(DataIssueKind.NonPositiveSize, $"box size {w:0.######} x {h:0.######} is not positive"); return null; }
        if (cx < 0 || cx > 1 || cy < 0 || cy > 1)
        {
            Skip(DataIssueKind.OutOfBounds, $"box centre ({cx:0.####}, {cy:0.####}) lies outside the image (coordinates must be normalised to 0..1)");
            return null;
        }

        double bx1 = cx - w / 2, by1 = cy - h / 2, bx2 = cx + w / 2, by2 = cy + h / 2;
        bool outside = bx1 < -EdgeTolerance || by1 < -EdgeTolerance || bx2 > 1 + EdgeTolerance || by2 > 1 + EdgeTolerance;
        bx1 = Math.Max(0, bx1); by1 = Math.Max(0, by1); bx2 = Math.Min(1, bx2); by2 = Math.Min(1, by2);
        if (bx2 - bx1 <= 0 || by2 - by1 <= 0)
        {
            Skip(DataIssueKind.OutOfBounds, "box has no area left inside the image");
            return null;
        }
        if (outside)
            issues.Add(new DataIssue(DataIssueKind.OutOfBounds, file, line, what + "box extends outside the image; clipped to it", IssueAction.Fixed));
        // Unclipped boxes keep the file's values exactly (cx, cy, w, h as parsed), as Ultralytics trains on them.
        if (!outside) return new ObjectLabel(classId, (float)cx, (float)cy, (float)w, (float)h);
        return new ObjectLabel(classId, (float)((bx1 + bx2) / 2), (float)((by1 + by2) / 2), (float)(bx2 - bx1), (float)(by2 - by1));
    }

    static bool IsDuplicate(List<ObjectLabel> kept, ObjectLabel l)
    {
        foreach (var k in kept)
        {
            if (k.ClassId == l.ClassId && Math.Abs(k.Cx - l.Cx) <= DuplicateTolerance && Math.Abs(k.Cy - l.Cy) <= DuplicateTolerance
                && Math.Abs(k.W - l.W) <= DuplicateTolerance && Math.Abs(k.H - l.H) <= DuplicateTolerance)
                return true;
        }
        return false;
    }
}
