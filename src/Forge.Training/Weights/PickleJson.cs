using System.Collections;
using System.Globalization;
using System.Text;
using Razorvine.Pickle.Objects;

namespace Forge.Training.Weights;

/// <summary>
/// Writes unpickled plain data (dicts, lists, tuples, strings, numbers, bools, None) as JSON, which is also yaml: how a
/// checkpoint's <c>yaml</c> dict reaches <see cref="Forge.Models.Graph.ModelYaml.Parse"/>. Dictionary keys keep their
/// insertion order where the pickle kept it, scale keys come in n, s, m, l, x order (a plain dict's order is not kept).
/// </summary>
public static class PickleJson
{
    /// <exception cref="InvalidDataException">A value that is not plain data (a tensor, a class instance).</exception>
    public static string Write(object? value)
    {
        var sb = new StringBuilder();
        Append(sb, value, 0);
        return sb.ToString();
    }

    static void Append(StringBuilder sb, object? v, int depth)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: sb.Append(System.Text.Json.JsonSerializer.Serialize(s)); break;
            case double d: sb.Append(double.IsPositiveInfinity(d) ? "1e999" : d.ToString("R", CultureInfo.InvariantCulture)); break;
            case int or long or System.Numerics.BigInteger: sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
            case ClassDict c: throw new InvalidDataException($"unexpected object of class {c.ClassName} in plain data");
            case IDictionary dict: AppendDict(sb, dict, depth); break;
            case IEnumerable list:
                sb.Append('[');
                bool first = true;
                foreach (var x in list)
                {
                    if (!first) sb.Append(depth == 1 ? ",\n  " : ", ");
                    first = false;
                    Append(sb, x, depth + 1);
                }
                sb.Append(']');
                break;
            default: throw new InvalidDataException($"unexpected value of type {v.GetType().Name} in plain data");
        }
    }

    static void AppendDict(StringBuilder sb, IDictionary dict, int depth)
    {
        var keys = dict is OrderedHashtable o ? o.OrderedKeys.ToList() : dict.Keys.Cast<object>().OrderBy(KeyOrder).ToList();
        sb.Append(depth == 0 ? "{\n" : "{");
        for (int i = 0; i < keys.Count; i++)
        {
            if (i > 0) sb.Append(depth == 0 ? ",\n" : ", ");
            sb.Append(System.Text.Json.JsonSerializer.Serialize(Convert.ToString(keys[i], CultureInfo.InvariantCulture))).Append(": ");
            Append(sb, dict[keys[i]], depth + 1);
        }
        sb.Append(depth == 0 ? "\n}\n" : "}");
    }

    static string KeyOrder(object k)
    {
        var s = Convert.ToString(k, CultureInfo.InvariantCulture) ?? "";
        int scale = "nsmlx".IndexOf(s, StringComparison.Ordinal);
        return s.Length == 1 && scale >= 0 ? $"0{scale}" : $"1{s}";
    }
}
