using Forge.Reporting.TensorBoard.Proto;
using Google.Protobuf;

namespace Forge.Reporting.TensorBoard;

/// <summary>
/// Writes a TensorBoard event file of scalars (<c>events.out.tfevents.{unix time}.{host}</c> in the run folder, as PyTorch's
/// SummaryWriter that Ultralytics uses): a first event naming the file version "brain.Event:2", then one Event per scalar with a
/// Summary value (tag, simple_value) and its step. Events are protobuf messages (Google.Protobuf, TensorBoard's schema) in
/// TFRecord framing (<see cref="TfRecord"/>). Each <see cref="WriteScalars"/> call is flushed, so a killed run keeps every
/// finished epoch; a resumed run starts a new file beside the old one and TensorBoard shows them as one run.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    readonly FileStream file;

    /// <summary>The event file's path.</summary>
    public string Path { get; }

    /// <exception cref="IOException">The folder cannot be written.</exception>
    public TensorBoardWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        string name = $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}";
        Path = System.IO.Path.Combine(folder, name);
        file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(new Event { WallTime = Seconds(now), FileVersion = "brain.Event:2", SourceMetadata = new SourceMetadata { Writer = "forge" } });
        file.Flush();
    }

    /// <summary>One event per (tag, value) at <paramref name="step"/> (Forge: the 1-based epoch); NaN values are left out.</summary>
    public void WriteScalars(long step, IEnumerable<KeyValuePair<string, double>> scalars)
    {
        double wallTime = Seconds(DateTimeOffset.UtcNow);
        foreach (var (tag, value) in scalars)
        {
            if (double.IsNaN(value)) continue;
            var summary = new Summary();
            summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
            Write(new Event { WallTime = wallTime, Step = step, Summary = summary });
        }
        file.Flush();
    }

    void Write(Event e) => TfRecord.Write(file, e.ToByteArray());

    static double Seconds(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

    public void Dispose() => file.Dispose();
}
