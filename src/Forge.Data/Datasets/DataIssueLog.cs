using System.Text;

namespace Forge.Data.Datasets;

/// <summary>
/// Collects dataset problems. Thread-safe. Each distinct issue is counted and printed once, as
/// "file:line: message (skipped|fixed)", up to <see cref="PrintLimit"/> lines; beyond that issues are only counted
/// and <see cref="Summary"/> tells the totals. Use one log per split so the summary's image counts stay apart.
/// </summary>
public sealed class DataIssueLog
{
    readonly object _gate = new();
    readonly TextWriter? _writer;
    readonly HashSet<DataIssue> _seen = [];
    readonly List<DataIssue> _issues = [];
    readonly int[] _byKind = new int[Enum.GetValues<DataIssueKind>().Length];
    int _printed, _images, _backgrounds;
    bool _capNoticePrinted;
    string _split = "";

    /// <summary>How many issues are printed in full; later ones are only counted.</summary>
    public int PrintLimit { get; }

    /// <param name="writer">Where issues are printed; Console.Error when null. Pass <see cref="TextWriter.Null"/> to stay silent.</param>
    public DataIssueLog(TextWriter? writer = null, int printLimit = 50)
    {
        if (printLimit < 0) throw new ArgumentOutOfRangeException(nameof(printLimit), printLimit, "must not be negative");
        _writer = writer;
        PrintLimit = printLimit;
    }

    /// <summary>Records an issue; returns false (and does nothing) when the same issue was reported before.</summary>
    public bool Report(DataIssue issue)
    {
        lock (_gate)
        {
            if (!_seen.Add(issue)) return false;
            _issues.Add(issue);
            _byKind[(int)issue.Kind]++;
            var w = _writer ?? Console.Error;
            if (_printed < PrintLimit)
            {
                w.WriteLine(issue.ToString());
                _printed++;
            }
            else if (!_capNoticePrinted)
            {
                w.WriteLine($"(more dataset issues: counted but not printed, the first {PrintLimit} were shown; see the summary)");
                _capNoticePrinted = true;
            }
            return true;
        }
    }

    public bool Report(DataIssueKind kind, string file, int line, string message, IssueAction action) =>
        Report(new DataIssue(kind, file, line, message, action));

    /// <summary>Total number of distinct issues.</summary>
    public int Count() { lock (_gate) return _issues.Count; }

    public int Count(DataIssueKind kind) { lock (_gate) return _byKind[(int)kind]; }

    public int Count(IssueAction action)
    {
        lock (_gate)
        {
            int n = 0;
            foreach (var i in _issues) if (i.Action == action) n++;
            return n;
        }
    }

    /// <summary>A snapshot of all issues in the order they were reported.</summary>
    public IReadOnlyList<DataIssue> Issues { get { lock (_gate) return _issues.ToArray(); } }

    /// <summary>Called by the index builder: usable images found and how many of them have no objects.</summary>
    internal void RecordImages(string split, int images, int backgrounds)
    {
        lock (_gate)
        {
            _split = _split.Length == 0 || _split == split ? split : $"{_split}+{split}";
            _images += images;
            _backgrounds += backgrounds;
        }
    }

    /// <summary>
    /// One line such as "train: 500 images (12 backgrounds), 3 images left out, 7 label lines skipped, 2 fixed
    /// [wrong field count 3, bad class id 4, ...]".
    /// </summary>
    public string Summary()
    {
        lock (_gate)
        {
            int imagesSkipped = 0, linesSkipped = 0, fixedCount = 0;
            foreach (var i in _issues)
            {
                if (i.Action == IssueAction.Fixed) fixedCount++;
                else if (i.Kind is DataIssueKind.CorruptImage or DataIssueKind.UnreadableLabelFile or DataIssueKind.AllLabelsInvalid) imagesSkipped++;
                else linesSkipped++;
            }
            var sb = new StringBuilder();
            if (_split.Length > 0) sb.Append(_split).Append(": ");
            sb.Append($"{_images} images ({_backgrounds} backgrounds), {imagesSkipped} images left out, {linesSkipped} label lines skipped, {fixedCount} fixed");
            if (_issues.Count > 0)
            {
                sb.Append(" [");
                bool first = true;
                foreach (var kind in Enum.GetValues<DataIssueKind>())
                {
                    int n = _byKind[(int)kind];
                    if (n == 0) continue;
                    if (!first) sb.Append(", ");
                    sb.Append(Describe(kind)).Append(' ').Append(n);
                    first = false;
                }
                sb.Append(']');
            }
            return sb.ToString();
        }
    }

    static string Describe(DataIssueKind kind) => kind switch
    {
        DataIssueKind.CorruptImage => "corrupt image",
        DataIssueKind.UnreadableLabelFile => "unreadable label file",
        DataIssueKind.WrongFieldCount => "wrong field count",
        DataIssueKind.NotANumber => "not a number",
        DataIssueKind.BadClassId => "bad class id",
        DataIssueKind.NonPositiveSize => "non-positive size",
        DataIssueKind.OutOfBounds => "out of bounds",
        DataIssueKind.DuplicateLabel => "duplicate",
        DataIssueKind.PolygonLabel => "polygon to box",
        DataIssueKind.AllLabelsInvalid => "all labels invalid",
        DataIssueKind.UnknownCategory => "unknown category",
        DataIssueKind.SizeMismatch => "size differs from json",
        _ => kind.ToString(),
    };
}
