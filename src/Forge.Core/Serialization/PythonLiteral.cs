using System.Globalization;
using System.Text;

namespace Forge.Core.Serialization;

/// <summary>
/// Python literals as <c>str()</c> writes them and <c>ast.literal_eval</c> reads them: the value format of Ultralytics'
/// model metadata (ONNX <c>metadata_props</c> hold <c>str(v)</c>: <c>names</c> is <c>"{0: 'person', 1: 'bicycle'}"</c>,
/// <c>imgsz</c> is <c>"[640, 640]"</c>). Values: null (None), bool, long, double, string, lists and tuples (as
/// <see cref="List{T}"/> of object), dicts (as <see cref="Dictionary{TKey,TValue}"/> of object to object, in order).
/// </summary>
public static class PythonLiteral
{
    /// <summary>The text Python's <c>str()</c> gives for a value (for a string, its <c>repr</c>, as inside a container).</summary>
    /// <exception cref="ArgumentException">A value of a type with no Python literal.</exception>
    public static string Format(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case string s: WriteString(sb, s); break;
            case int or long or short or byte or uint or ushort or sbyte: sb.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)); break;
            case float f: WriteFloat(sb, f); break;
            case double d: WriteFloat(sb, d); break;
            case System.Collections.IDictionary dict:
                sb.Append('{');
                bool first = true;
                foreach (System.Collections.DictionaryEntry e in dict)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(sb, e.Key);
                    sb.Append(": ");
                    Write(sb, e.Value);
                }
                sb.Append('}');
                break;
            case System.Collections.IEnumerable list:
                sb.Append('[');
                bool firstItem = true;
                foreach (var item in list)
                {
                    if (!firstItem) sb.Append(", ");
                    firstItem = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            default: throw new ArgumentException($"{value.GetType().Name} has no Python literal form");
        }
    }

    /// <summary>Python's float repr: shortest round-trip digits, always a '.' or an exponent (1.0, 0.5, 1e-05, inf).</summary>
    static void WriteFloat(StringBuilder sb, double d)
    {
        if (double.IsNaN(d)) { sb.Append("nan"); return; }
        if (double.IsInfinity(d)) { sb.Append(d > 0 ? "inf" : "-inf"); return; }
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            // .NET "1E-05" / "1.5E+20" -> Python "1e-05" / "1.5e+20" (two exponent digits at least).
            string mantissa = r[..e], exp = r[(e + 1)..];
            char sign = exp[0] == '-' ? '-' : '+';
            string digits = exp.TrimStart('+', '-').PadLeft(2, '0');
            sb.Append(mantissa).Append('e').Append(sign).Append(digits);
        }
        else sb.Append(r.Contains('.') ? r : r + ".0");
    }

    /// <summary>Python's str repr: single quotes unless the text has a single quote and no double quote.</summary>
    static void WriteString(StringBuilder sb, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == quote || c == '\\') sb.Append('\\').Append((char)c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                     or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                     or UnicodeCategory.ParagraphSeparator || (Rune.IsWhiteSpace(rune) && c != ' '))
                sb.Append(c <= 0xff ? $"\\x{c:x2}" : c <= 0xffff ? $"\\u{c:x4}" : $"\\U{c:x8}");
            else sb.Append(rune.ToString());
        }
        sb.Append(quote);
    }

    /// <summary>Reads a literal (the subset <c>str()</c> of metadata values produces: None, True/False, numbers, strings, lists, tuples, dicts).</summary>
    /// <exception cref="FormatException">The text is not such a literal; the message gives the character position.</exception>
    public static object? Parse(string text)
    {
        var p = new Parser(text);
        var value = p.Value();
        p.SkipSpace();
        if (!p.AtEnd) throw p.Error("unexpected text after the value");
        return value;
    }

    /// <summary>Class names from an Ultralytics <c>names</c> value: a dict {index: name} (indices 0..n-1) or a list.</summary>
    /// <exception cref="FormatException">Not a dict of consecutive indices from 0, nor a list of strings.</exception>
    public static string[] ParseNames(string text)
    {
        switch (Parse(text))
        {
            case Dictionary<object, object?> dict:
                var names = new string[dict.Count];
                foreach (var (k, v) in dict)
                {
                    if (k is not long i || i < 0 || i >= names.Length || v is not string name)
                        throw new FormatException($"names: expected {{0: 'name', ...}} with indices 0..{names.Length - 1}, got key {Format(k)}: {Format(v)}");
                    names[i] = name;
                }
                return names;
            case List<object?> list when list.All(x => x is string):
                return list.Cast<string>().ToArray();
            default:
                throw new FormatException($"names: expected a dict of class names, got '{text}'");
        }
    }

    /// <summary>Integers from a list or tuple literal such as <c>[640, 640]</c>.</summary>
    public static long[] ParseIntList(string text) =>
        Parse(text) is List<object?> list && list.All(x => x is long)
            ? list.Cast<long>().ToArray()
            : throw new FormatException($"expected a list of integers, got '{text}'");

    sealed class Parser(string s)
    {
        int pos;
        public bool AtEnd => pos >= s.Length;
        public FormatException Error(string what) => new($"Python literal, character {pos + 1}: {what} in '{(s.Length > 80 ? s[..80] + "..." : s)}'");

        public void SkipSpace() { while (pos < s.Length && char.IsWhiteSpace(s[pos])) pos++; }

        public object? Value()
        {
            SkipSpace();
            if (AtEnd) throw Error("a value was expected");
            char c = s[pos];
            if (c == '{') return Dict();
            if (c == '[') return Sequence('[', ']');
            if (c == '(') return Sequence('(', ')');
            if (c is '\'' or '"') return String();
            if (c is '-' or '+' or '.' || char.IsDigit(c)) return Number();
            if (Word("None")) return null;
            if (Word("True")) return true;
            if (Word("False")) return false;
            if (Word("inf")) return double.PositiveInfinity;
            if (Word("nan")) return double.NaN;
            throw Error($"unexpected '{c}'");
        }

        bool Word(string w)
        {
            if (string.CompareOrdinal(s, pos, w, 0, w.Length) != 0) return false;
            int end = pos + w.Length;
            if (end < s.Length && (char.IsLetterOrDigit(s[end]) || s[end] == '_')) return false;
            pos = end;
            return true;
        }

        void Expect(char c)
        {
            SkipSpace();
            if (AtEnd || s[pos] != c) throw Error($"'{c}' expected");
            pos++;
        }

        Dictionary<object, object?> Dict()
        {
            var d = new Dictionary<object, object?>();
            pos++;
            while (true)
            {
                SkipSpace();
                if (!AtEnd && s[pos] == '}') { pos++; return d; }
                var key = Value() ?? throw Error("None as a dict key is not supported");
                Expect(':');
                if (!d.TryAdd(key, Value())) throw Error($"duplicate key {Format(key)}");
                SkipSpace();
                if (!AtEnd && s[pos] == ',') { pos++; continue; }
                Expect('}');
                return d;
            }
        }

        List<object?> Sequence(char open, char close)
        {
            var list = new List<object?>();
            pos++;
            while (true)
            {
                SkipSpace();
                if (!AtEnd && s[pos] == close) { pos++; return list; }
                list.Add(Value());
                SkipSpace();
                if (!AtEnd && s[pos] == ',') { pos++; continue; }
                Expect(close);
                return list;
            }
        }

        object Number()
        {
            int start = pos;
            if (s[pos] is '-' or '+')
            {
                pos++;
                if (Word("inf")) return s[start] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            }
            while (pos < s.Length && (char.IsDigit(s[pos]) || s[pos] is '.' or 'e' or 'E' or '_' ||
                                      (s[pos] is '-' or '+' && s[pos - 1] is 'e' or 'E'))) pos++;
            var token = s[start..pos].Replace("_", "");
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
            pos = start;
            throw Error($"bad number '{token}'");
        }

        string String()
        {
            char quote = s[pos++];
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw Error("unterminated string");
                char c = s[pos++];
                if (c == quote) return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (AtEnd) throw Error("unterminated escape");
                char e = s[pos++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case '0': sb.Append('\0'); break;
                    case 'x': sb.Append((char)Hex(2)); break;
                    case 'u': sb.Append((char)Hex(4)); break;
                    case 'U': sb.Append(char.ConvertFromUtf32(Hex(8))); break;
                    case '\n': break;
                    default: sb.Append(e); break;   // \\, \', \" and unknown escapes keep the character
                }
            }
        }

        int Hex(int digits)
        {
            if (pos + digits > s.Length || !int.TryParse(s.AsSpan(pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
                throw Error($"bad \\x/\\u escape");
            pos += digits;
            return v;
        }
    }
}
