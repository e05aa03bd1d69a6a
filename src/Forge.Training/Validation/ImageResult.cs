using System.Buffers.Binary;
using Forge.Core.Detection;
using Forge.Core.Geometry;

namespace Forge.Training.Validation;

/// <summary>One validated image's detections (original pixels), keyed by dataset index; serialisable to gather across ranks.</summary>
public sealed record ImageResult(int Index, List<Detection> Detections)
{
    const int DetectionBytes = 6 * 4;

    public static byte[] Pack(IReadOnlyList<ImageResult> results)
    {
        int size = 4;
        foreach (var r in results) size += 8 + r.Detections.Count * DetectionBytes;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, results.Count);
        int pos = 4;
        foreach (var r in results)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[pos..], r.Index);
            BinaryPrimitives.WriteInt32LittleEndian(span[(pos + 4)..], r.Detections.Count);
            pos += 8;
            foreach (var d in r.Detections)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[pos..], d.Box.X1);
                BinaryPrimitives.WriteSingleLittleEndian(span[(pos + 4)..], d.Box.Y1);
                BinaryPrimitives.WriteSingleLittleEndian(span[(pos + 8)..], d.Box.X2);
                BinaryPrimitives.WriteSingleLittleEndian(span[(pos + 12)..], d.Box.Y2);
                BinaryPrimitives.WriteSingleLittleEndian(span[(pos + 16)..], d.Score);
                BinaryPrimitives.WriteInt32LittleEndian(span[(pos + 20)..], d.ClassId);
                pos += DetectionBytes;
            }
        }
        return bytes;
    }

    public static List<ImageResult> Unpack(ReadOnlySpan<byte> span)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(span);
        var list = new List<ImageResult>(count);
        int pos = 4;
        for (int i = 0; i < count; i++)
        {
            int index = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
            int n = BinaryPrimitives.ReadInt32LittleEndian(span[(pos + 4)..]);
            pos += 8;
            var dets = new List<Detection>(n);
            for (int k = 0; k < n; k++)
            {
                var box = new BoxF(
                    BinaryPrimitives.ReadSingleLittleEndian(span[pos..]), BinaryPrimitives.ReadSingleLittleEndian(span[(pos + 4)..]),
                    BinaryPrimitives.ReadSingleLittleEndian(span[(pos + 8)..]), BinaryPrimitives.ReadSingleLittleEndian(span[(pos + 12)..]));
                dets.Add(new Detection(box, BinaryPrimitives.ReadSingleLittleEndian(span[(pos + 16)..]), BinaryPrimitives.ReadInt32LittleEndian(span[(pos + 20)..])));
                pos += DetectionBytes;
            }
            list.Add(new ImageResult(index, dets));
        }
        return list;
    }
}
