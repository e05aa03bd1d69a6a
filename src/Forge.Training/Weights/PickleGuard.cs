using System.Buffers.Binary;
using System.Text;

namespace Forge.Training.Weights;

/// <summary>
/// Checks a pickle before anything is unpickled: walks every opcode (protocols 0-5, as Python's pickletools.genops does)
/// and refuses the stream when it names a global (class or function) that is not allowed, or uses the extension
/// registry. Globals come from GLOBAL and INST (names inline) and STACK_GLOBAL (the two strings pushed just before it,
/// directly or through the memo); a STACK_GLOBAL whose names cannot be read that way is refused too. Nothing in the
/// stream is executed or constructed here; the unpickler (<see cref="TorchPickleReader"/>) runs only on streams that pass.
/// Same idea as PyTorch's <c>torch.load(weights_only=True)</c> allow-list.
/// </summary>
public static class PickleGuard
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the first refused global and its byte offset.</summary>
    /// <param name="allowed">Decides on "module.name" of each global.</param>
    /// <param name="source">Names the stream in errors (e.g. "best.pt/data.pkl").</param>
    public static IReadOnlySet<string> Check(ReadOnlySpan<byte> pickle, Func<string, bool> allowed, string source)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var memo = new Dictionary<long, string?>();
        // The last two values pushed, when the ops just before were pushes of known strings (memo writes do not touch the stack).
        string? below = null, top = null;
        int known = 0;
        int pos = 0;
        while (pos < pickle.Length)
        {
            int at = pos;
            byte op = pickle[pos++];
            string? pushed = null;
            bool stringPush = false, keepsStack = false;
            switch (op)
            {
                case (byte)'c' or (byte)'i':   // GLOBAL, INST: "module\nname\n"
                {
                    string module = Line(pickle, ref pos, source), name = Line(pickle, ref pos, source);
                    Require($"{module}.{name}", at);
                    break;
                }
                case 0x93:                     // STACK_GLOBAL
                    if (known < 2 || below is null || top is null)
                        throw new InvalidDataException($"{source}: refused to load: a global reference at byte {at} is built in a way Forge does not read (STACK_GLOBAL without its two name strings just before it)");
                    Require($"{below}.{top}", at);
                    break;
                case 0x82 or 0x83 or 0x84:     // EXT1, EXT2, EXT4: globals from copyreg's extension registry
                    throw new InvalidDataException($"{source}: refused to load: the pickle uses the extension registry (opcode 0x{op:x2} at byte {at}), which names code Forge cannot check");
                case (byte)'X': pushed = Utf8(pickle, ref pos, Int32(pickle, ref pos, source), source); stringPush = true; break;
                case 0x8c: pushed = Utf8(pickle, ref pos, Byte(pickle, ref pos, source), source); stringPush = true; break;
                case 0x8d: pushed = Utf8(pickle, ref pos, checked((int)Int64(pickle, ref pos, source)), source); stringPush = true; break;
                case (byte)'V': pushed = Line(pickle, ref pos, source); stringPush = true; break;
                case (byte)'T': Skip(ref pos, Int32(pickle, ref pos, source), pickle.Length, source); stringPush = true; break;
                case (byte)'U': Skip(ref pos, Byte(pickle, ref pos, source), pickle.Length, source); stringPush = true; break;
                case (byte)'S': Line(pickle, ref pos, source); stringPush = true; break;
                case (byte)'h': pushed = Recall(memo, Byte(pickle, ref pos, source)); stringPush = pushed is not null; break;
                case (byte)'j': pushed = Recall(memo, (uint)Int32(pickle, ref pos, source)); stringPush = pushed is not null; break;
                case (byte)'g': pushed = Recall(memo, long.Parse(Line(pickle, ref pos, source))); stringPush = pushed is not null; break;
                case (byte)'q': memo[Byte(pickle, ref pos, source)] = known > 0 ? top : null; keepsStack = true; break;
                case (byte)'r': memo[(uint)Int32(pickle, ref pos, source)] = known > 0 ? top : null; keepsStack = true; break;
                case (byte)'p': memo[long.Parse(Line(pickle, ref pos, source))] = known > 0 ? top : null; keepsStack = true; break;
                case 0x94: memo[memo.Count] = known > 0 ? top : null; keepsStack = true; break;   // MEMOIZE
                case 0x95: Skip(ref pos, 8, pickle.Length, source); keepsStack = true; break;      // FRAME
                case (byte)'.': return seen;                                                       // STOP
                default: SkipArgument(op, pickle, ref pos, source, at); break;
            }
            if (stringPush)
            {
                below = top;
                top = pushed;
                known = Math.Min(known + 1, 2);
                if (pushed is null) known = 0;   // a string whose text is not tracked (protocol 0/1 byte strings)
            }
            else if (!keepsStack)
            {
                known = 0;
                below = top = null;
            }
        }
        throw new InvalidDataException($"{source}: the pickle ends without its STOP opcode (truncated or damaged)");

        void Require(string global, int offset)
        {
            if (!allowed(global))
                throw new InvalidDataException(
                    $"{source}: refused to load: the pickle references {global} (byte {offset}). Forge reads .pt files without " +
                    "running any code and accepts only tensors, plain containers and PyTorch/Ultralytics module classes (as inert data). " +
                    "If you trust the file, load it in Python and save the weights as safetensors.");
            seen.Add(global);
        }
    }

    static string? Recall(Dictionary<long, string?> memo, long key) => memo.TryGetValue(key, out var s) ? s : null;

    // Arguments of the opcodes that neither name globals nor push strings the guard tracks (pickletools' table).
    static void SkipArgument(byte op, ReadOnlySpan<byte> p, ref int pos, string source, int at)
    {
        switch (op)
        {
            case (byte)'(' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or 0x88 or 0x89 or (byte)']' or (byte)'a'
                or (byte)'e' or (byte)'l' or (byte)')' or (byte)'t' or 0x85 or 0x86 or 0x87 or (byte)'}' or (byte)'d' or (byte)'s'
                or (byte)'u' or 0x8f or 0x90 or 0x91 or (byte)'b' or (byte)'R' or 0x81 or 0x92 or (byte)'o' or (byte)'Q' or 0x97 or 0x98:
                return;                                                                   // no argument
            case (byte)'K': pos += 1; break;                                              // BININT1
            case (byte)'M': pos += 2; break;                                              // BININT2
            case (byte)'J': pos += 4; break;                                              // BININT
            case (byte)'G': pos += 8; break;                                              // BINFLOAT
            case 0x80: pos += 1; break;                                                   // PROTO
            case 0x8a: Skip(ref pos, Byte(p, ref pos, source), p.Length, source); break;  // LONG1
            case 0x8b: Skip(ref pos, Int32(p, ref pos, source), p.Length, source); break; // LONG4
            case (byte)'C': Skip(ref pos, Byte(p, ref pos, source), p.Length, source); break;   // SHORT_BINBYTES
            case (byte)'B': Skip(ref pos, Int32(p, ref pos, source), p.Length, source); break;  // BINBYTES
            case 0x8e or 0x96: Skip(ref pos, checked((int)Int64(p, ref pos, source)), p.Length, source); break;  // BINBYTES8, BYTEARRAY8
            case (byte)'I' or (byte)'L' or (byte)'F' or (byte)'P': Line(p, ref pos, source); break;  // INT, LONG, FLOAT, PERSID
            default:
                throw new InvalidDataException($"{source}: not a valid pickle (unknown opcode 0x{op:x2} at byte {at})");
        }
        if (pos > p.Length) throw Truncated(source);
    }

    static InvalidDataException Truncated(string source) => new($"{source}: the pickle is truncated");

    static void Skip(ref int pos, long count, int length, string source)
    {
        if (count < 0 || pos + count > length) throw Truncated(source);
        pos += (int)count;
    }

    static int Byte(ReadOnlySpan<byte> p, ref int pos, string source)
    {
        if (pos + 1 > p.Length) throw Truncated(source);
        return p[pos++];
    }

    static int Int32(ReadOnlySpan<byte> p, ref int pos, string source)
    {
        if (pos + 4 > p.Length) throw Truncated(source);
        int v = BinaryPrimitives.ReadInt32LittleEndian(p[pos..]);
        pos += 4;
        return v;
    }

    static long Int64(ReadOnlySpan<byte> p, ref int pos, string source)
    {
        if (pos + 8 > p.Length) throw Truncated(source);
        long v = BinaryPrimitives.ReadInt64LittleEndian(p[pos..]);
        pos += 8;
        return v;
    }

    static string Utf8(ReadOnlySpan<byte> p, ref int pos, int count, string source)
    {
        if (count < 0 || pos + count > p.Length) throw Truncated(source);
        var s = Encoding.UTF8.GetString(p.Slice(pos, count));
        pos += count;
        return s;
    }

    static string Line(ReadOnlySpan<byte> p, ref int pos, string source)
    {
        int end = p[pos..].IndexOf((byte)'\n');
        if (end < 0) throw Truncated(source);
        var s = Encoding.UTF8.GetString(p.Slice(pos, end));
        pos += end + 1;
        return s;
    }
}
