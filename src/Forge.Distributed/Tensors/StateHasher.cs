using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Forge.Distributed;

/// <summary>A fast 64-bit digest of bytes (not cryptographic): equal state gives equal values, any bit flip changes it.</summary>
internal sealed class StateHasher
{
    const ulong P1 = 0x9E3779B185EBCA87UL, P2 = 0xC2B2AE3D27D4EB4FUL, P3 = 0x165667B19E3779F9UL;
    ulong h = 0x27D4EB2F165667C5UL;
    long length;

    public void Add(ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
            h = BitOperations.RotateLeft(h ^ (BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)) * P1), 31) * P2;
        for (; i < data.Length; i++)
            h = BitOperations.RotateLeft(h ^ (data[i] * P3), 11) * P1;
        length += data.Length;
    }

    public void Add(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        Add(b);
    }

    public void Add(string text)
    {
        Add(text.Length);
        Add(Encoding.UTF8.GetBytes(text));
    }

    public ulong Value
    {
        get
        {
            ulong x = h ^ (ulong)length;
            x ^= x >> 33; x *= P2; x ^= x >> 29; x *= P3; x ^= x >> 32;
            return x;
        }
    }
}
