using System.Diagnostics;
using System.Text;

namespace Forge.Reporting;

/// <summary>
/// A tqdm-like progress line: redrawn in place on a terminal, printed at about every 10% (and at the end) when output
/// is a file or pipe, so logs stay readable.
/// </summary>
public sealed class ProgressBar
{
    readonly TextWriter output;
    readonly bool interactive;
    readonly int total;
    readonly Stopwatch clock = Stopwatch.StartNew();
    int lastPrintedDecile = -1;
    long lastDrawTicks;

    public ProgressBar(int total, TextWriter? output = null, bool? interactive = null)
    {
        this.total = Math.Max(total, 1);
        this.output = output ?? Console.Out;
        this.interactive = interactive ?? (ReferenceEquals(this.output, Console.Out) && !Console.IsOutputRedirected);
    }

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Shows <paramref name="prefix"/> and the bar at <paramref name="done"/> of total.</summary>
    public void Update(int done, string prefix, string suffix = "")
    {
        bool final = done >= total;
        if (interactive)
        {
            // Redraw at most ~10 times a second.
            if (!final && clock.ElapsedTicks - lastDrawTicks < Stopwatch.Frequency / 10) return;
            lastDrawTicks = clock.ElapsedTicks;
            output.Write("\r" + Render(done, prefix, suffix) + (final ? "\n" : ""));
        }
        else
        {
            int decile = done * 10 / total;
            if (decile == lastPrintedDecile && !final) return;
            if (decile == lastPrintedDecile && final && lastPrintedDecile == 10) return;
            lastPrintedDecile = decile;
            output.WriteLine(Render(done, prefix, suffix));
        }
        output.Flush();
    }

    string Render(int done, string prefix, string suffix)
    {
        const int width = 20;
        double frac = Math.Clamp(done / (double)total, 0, 1);
        int filled = (int)(frac * width);
        double secs = clock.Elapsed.TotalSeconds;
        double rate = secs > 0 ? done / secs : 0;
        double eta = rate > 0 ? (total - done) / rate : 0;
        var sb = new StringBuilder();
        sb.Append(prefix).Append(' ');
        sb.Append($"{frac * 100,3:0}%|").Append(new string('█', filled)).Append(new string(' ', width - filled)).Append('|');
        sb.Append($" {done}/{total} [{Format(secs)}<{Format(eta)}, ");
        sb.Append(rate >= 1 || rate == 0 ? $"{rate:0.00}it/s]" : $"{1 / rate:0.00}s/it]");
        if (suffix.Length > 0) sb.Append(' ').Append(suffix);
        return sb.ToString();
    }

    static string Format(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";
    }
}
