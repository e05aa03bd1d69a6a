using System.Globalization;
using System.Text.RegularExpressions;

namespace Forge.Core.Config;

/// <summary>
/// Declares a property of <see cref="ForgeConfig"/> (or of a settings section such as <see cref="AugmentOptions"/>) as a
/// setting: its user-facing name (Ultralytics' spelling), help text and the rules its value must follow. The property's type
/// is the setting's type and its initializer the default, so a setting is written exactly once.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class SettingAttribute(string name, string help) : Attribute
{
    public string Name { get; } = name;
    public string Help { get; } = help;
    /// <summary>A change makes a resumed run a different run (refused without resume_force=true).</summary>
    public bool AltersRun { get; set; }
    /// <summary>Smallest allowed value (numbers; NaN = no bound).</summary>
    public double Min { get; set; } = double.NaN;
    /// <summary>Largest allowed value (numbers; NaN = no bound).</summary>
    public double Max { get; set; } = double.NaN;
    /// <summary><see cref="Min"/> itself is not allowed.</summary>
    public bool MinExclusive { get; set; }
    /// <summary>Integers: the value must be a multiple of this (0 = any).</summary>
    public int MultipleOf { get; set; }
    /// <summary>Strings: the allowed values separated by '|', compared ignoring case.</summary>
    public string? OneOf { get; set; }
    /// <summary>Strings and numbers (as written: 16, 0.7): a regular expression the whole value must match, described by <see cref="Expect"/>.</summary>
    public string? Pattern { get; set; }
    /// <summary>What <see cref="Pattern"/> accepts, in words.</summary>
    public string? Expect { get; set; }
    /// <summary>Appended to a rule violation: what to do instead.</summary>
    public string? Hint { get; set; }

    /// <summary>What is wrong with <paramref name="value"/> ("must be in [0, 1]"), or null when it follows every rule.</summary>
    public string? Problem(object? value)
    {
        string? problem = value switch
        {
            int i => NumberProblem(i) ?? (MultipleOf > 0 && i % MultipleOf != 0 ? $"must be a multiple of {MultipleOf}{BoundText(" and ")}" : null),
            double d => NumberProblem(d) ?? PatternProblem(F(d)),
            string s => StringProblem(s),
            _ => null,
        };
        return problem is null || Hint is null ? problem : $"{problem} ({Hint})";
    }

    string? NumberProblem(double v)
    {
        bool low = !double.IsNaN(Min) && (MinExclusive ? v <= Min : v < Min);
        bool high = !double.IsNaN(Max) && v > Max;
        if (!low && !high) return null;
        if (MultipleOf > 0) return $"must be a multiple of {MultipleOf}{BoundText(" and ")}";
        return "must be" + BoundText(" ");
    }

    string BoundText(string lead)
    {
        bool hasMin = !double.IsNaN(Min), hasMax = !double.IsNaN(Max);
        if (hasMin && hasMax && Min == Max) return $"{lead}{F(Min)}";
        if (hasMin && hasMax) return $"{lead}in {(MinExclusive ? "(" : "[")}{F(Min)}, {F(Max)}]";
        if (hasMin) return $"{lead}{(MinExclusive ? ">" : ">=")} {F(Min)}";
        if (hasMax) return $"{lead}<= {F(Max)}";
        return "";
    }

    string? StringProblem(string s)
    {
        if (OneOf is not null)
        {
            var allowed = OneOf.Split('|');
            if (!allowed.Any(a => a.Equals(s, StringComparison.OrdinalIgnoreCase))) return $"must be one of {string.Join(", ", allowed)}";
        }
        return PatternProblem(s);
    }

    // Numbers are matched in their written form (invariant culture, shortest round-trip: 16, 0.7, -1).
    string? PatternProblem(string text) =>
        Pattern is not null && !Regex.IsMatch(text, Pattern) ? $"must be {Expect ?? $"of the form {Pattern}"}" : null;

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Marks a property of <see cref="ForgeConfig"/> whose type groups settings (its own properties carry <see cref="SettingAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class SettingsSectionAttribute : Attribute;
