using Forge.Reporting.TensorBoard.Proto;
using Google.Protobuf;

namespace Forge.Reporting.TensorBoard;

/// <summary>A scalar read back from an event file.</summary>
public readonly record struct TensorBoardScalar(long Step, string Tag, float Value, double WallTime);

/// <summary>Reads the scalars of a TensorBoard event file, checking every record's CRCs (for tests and tools).</summary>
public static class TensorBoardReader
{
    /// <summary>The file version of the first event ("brain.Event:2") and every scalar, in file order.</summary>
    /// <exception cref="InvalidDataException">A record is truncated, a CRC does not match or an event does not parse.</exception>
    public static (string FileVersion, List<TensorBoardScalar> Scalars) Read(string path)
    {
        using var stream = File.OpenRead(path);
        string version = "";
        var scalars = new List<TensorBoardScalar>();
        foreach (var record in TfRecord.ReadAll(stream, path))
        {
            Event e;
            try { e = Event.Parser.ParseFrom(record); }
            catch (InvalidProtocolBufferException ex) { throw new InvalidDataException($"{path}: an event does not parse: {ex.Message}", ex); }
            if (e.WhatCase == Event.WhatOneofCase.FileVersion) version = e.FileVersion;
            if (e.WhatCase != Event.WhatOneofCase.Summary) continue;
            foreach (var v in e.Summary.Value)
                if (v.ValueCase == Summary.Types.Value.ValueOneofCase.SimpleValue) scalars.Add(new(e.Step, v.Tag, v.SimpleValue, e.WallTime));
        }
        return (version, scalars);
    }
}
