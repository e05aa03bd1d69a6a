using System.Buffers.Binary;
using Forge.Reporting;
using Forge.Reporting.TensorBoard;
using Forge.Reporting.TensorBoard.Proto;

namespace Forge.Reporting.Tests.TensorBoard;

/// <summary>
/// TensorBoard event files as TensorBoard reads them: TFRecord frames whose CRCs are checked here by an independent bitwise
/// CRC-32C, each holding an Event protobuf; scalars come back with their tags, steps and values.
/// </summary>
public sealed class TensorBoardEventFileTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "forge-tb-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    // Bit-at-a-time CRC-32C (reflected polynomial 0x82F63B78), independent of System.IO.Hashing.
    static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8;

    [Fact]
    public void Crc32CHasItsCheckValue()
    {
        var check = "123456789"u8;
        Assert.Equal(0xE3069283u, TfRecord.Crc32C(check));
        Assert.Equal(0xE3069283u, ReferenceCrc32C(check));
    }

    [Fact]
    public void FramesCarryMaskedCrcsAndEventsDecode()
    {
        string path;
        using (var writer = new TensorBoardWriter(folder))
        {
            path = writer.Path;
            writer.WriteScalars(1, [new("train/box_loss", 2.5), new("metrics/mAP50(B)", double.NaN), new("lr/pg0", 0.001)]);
            writer.WriteScalars(2, [new("train/box_loss", 1.25), new("metrics/mAP50(B)", 0.5), new("lr/pg0", 0.0005)]);
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));

        // Parse the frames by hand: u64 length, masked CRC of the length, data, masked CRC of the data.
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        for (int at = 0; at < bytes.Length;)
        {
            var lengthBytes = bytes.AsSpan(at, 8);
            int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            Assert.Equal(Mask(ReferenceCrc32C(lengthBytes)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, length);
            Assert.Equal(Mask(ReferenceCrc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)));
            events.Add(Event.Parser.ParseFrom(data.ToArray()));
            at += 12 + length + 4;
        }
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.Skip(1).Select(e => (e.Step, Assert.Single(e.Summary.Value))).Select(x => (x.Step, x.Item2.Tag, x.Item2.SimpleValue)).ToList();
        Assert.Equal(
            [(1L, "train/box_loss", 2.5f), (1L, "lr/pg0", 0.001f), (2L, "train/box_loss", 1.25f), (2L, "metrics/mAP50(B)", 0.5f), (2L, "lr/pg0", 0.0005f)],
            scalars);

        var (version, read) = TensorBoardReader.Read(path);
        Assert.Equal("brain.Event:2", version);
        Assert.Equal(scalars, read.Select(s => (s.Step, s.Tag, s.Value)).ToList());
    }

    [Fact]
    public void ADamagedRecordIsReportedWithItsOffset()
    {
        string path;
        using (var writer = new TensorBoardWriter(folder))
        {
            path = writer.Path;
            writer.WriteScalars(1, [new("train/box_loss", 2.5)]);
        }
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0x40;   // inside the last record's data
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => TensorBoardReader.Read(path));
        Assert.Contains("CRC mismatch", e.Message);
    }

    [Theory]
    [InlineData(7.6, "7.6 s")]
    [InlineData(150, "2.5 min")]
    [InlineData(9000, "2.50 hours")]
    public void DurationsReadWell(double seconds, string text) => Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void CountsAgreeWithTheirNumber()
    {
        Assert.Equal("1 epoch", DurationText.Count(1, "epoch"));
        Assert.Equal("3 epochs", DurationText.Count(3, "epoch"));
    }
}
