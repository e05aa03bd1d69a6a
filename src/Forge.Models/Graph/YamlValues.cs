using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Forge.Models.Graph;

/// <summary>
/// Turns YAML nodes into plain values the way PyYAML's <c>safe_load</c> types them (YAML 1.1 resolvers): plain scalars
/// become null, bool, int or double when they look like one, anything quoted stays a string; sequences become
/// <see cref="List{T}"/> and mappings ordered <see cref="List{T}"/> of key/value pairs.
/// </summary>
public static partial class YamlValues
{
    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    // PyYAML's float resolver wants a dot; an exponent alone ("1e-3") stays a string there, and parse_model's
    // literal_eval turns such strings into numbers anyway, so accepting it here changes nothing downstream.
    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    public static object? ToValue(YamlNode node) => node switch
    {
        YamlScalarNode s => Scalar(s),
        YamlSequenceNode seq => seq.Children.Select(ToValue).ToList(),
        YamlMappingNode map => map.Children.Select(kv => new KeyValuePair<string, object?>(
            ((YamlScalarNode)kv.Key).Value ?? "", ToValue(kv.Value))).ToList(),
        _ => null,
    };

    static object? Scalar(YamlScalarNode node)
    {
        string v = node.Value ?? "";
        if (node.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return v;
        return Plain(v);
    }

    /// <summary>Types an unquoted scalar: null (<c>null ~</c> or empty), bool (<c>true/false/yes/no/on/off</c> in any of
    /// YAML 1.1's spellings), int, double, else the string itself.</summary>
    public static object? Plain(string v)
    {
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON": return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF": return false;
        }
        if (IntPattern().IsMatch(v) && long.TryParse(v.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            return l is >= int.MinValue and <= int.MaxValue ? (object)(int)l : l;
        if (v.Any(char.IsDigit) && FloatPattern().IsMatch(v)
            && double.TryParse(v.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            return d;
        return v switch
        {
            ".inf" or ".Inf" or ".INF" or "+.inf" => double.PositiveInfinity,
            "-.inf" or "-.Inf" or "-.INF" => double.NegativeInfinity,
            ".nan" or ".NaN" or ".NAN" => double.NaN,
            _ => v,
        };
    }

    /// <summary>
    /// Ultralytics' parse_model resolution of a string argument: the name <c>nc</c> becomes the class count, Python
    /// literals (<c>None True False</c>, numbers) their value, anything else stays a string (e.g. <c>"nearest"</c>).
    /// </summary>
    public static object? ResolveArgument(object? arg, int nc) => arg switch
    {
        "nc" => nc,
        "None" => null,
        "True" => true,
        "False" => false,
        string s when Plain(s) is int or long or double => Plain(s),
        _ => arg,
    };

    /// <summary>A value as Python would print it inside a list (used in layer tables and error messages).</summary>
    public static string Format(object? v) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        string s => "'" + s + "'",
        double d => d.ToString("R", CultureInfo.InvariantCulture).Contains('.') || double.IsInfinity(d) || double.IsNaN(d)
                    ? d.ToString("R", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture) + ".0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => v.ToString() ?? "",
    };
}
