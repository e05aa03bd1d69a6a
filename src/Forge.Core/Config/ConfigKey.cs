using System.Reflection;

namespace Forge.Core.Config;

public enum ConfigValueKind { Bool, Int, Float, String }

/// <summary>
/// One setting as <see cref="ConfigSchema"/> found it on <see cref="ForgeConfig"/>: its name (Ultralytics' spelling where one
/// exists), type, default, help and rules. <see cref="AltersRun"/> marks settings whose change makes a resumed run a different
/// run (used to refuse config drift).
/// </summary>
public sealed record ConfigKey(string Name, ConfigValueKind Kind, object? Default, string Help, bool AltersRun = false, bool Nullable = false)
{
    /// <summary>The property that holds the value (on <see cref="ForgeConfig"/> or on a section type).</summary>
    internal PropertyInfo Property { get; init; } = null!;
    /// <summary>The <see cref="ForgeConfig"/> property holding the section, or null for a setting of ForgeConfig itself.</summary>
    internal PropertyInfo? Section { get; init; }
    internal SettingAttribute Rules { get; init; } = null!;

    /// <summary>"hsv_h=2: must be in [0, 1]" when <paramref name="value"/> breaks this setting's rules, else null.</summary>
    public string? Problem(object? value) =>
        Rules.Problem(value) is { } problem ? $"{Name}={ForgeConfig.FormatValue(value)}: {problem}" : null;

    internal object? Read(ForgeConfig config) =>
        Property.GetValue(Section is null ? config : Section.GetValue(config));

    internal void Write(ForgeConfig config, object? value)
    {
        if (Section is null) { Property.SetValue(config, value); return; }
        // Sections are handed out (to the data pipeline, for example): change a copy, never the instance others hold.
        var copy = MemberwiseCopy(Section.GetValue(config)!);
        Property.SetValue(copy, value);
        Section.SetValue(config, copy);
    }

    static readonly MethodInfo CloneMethod = typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;
    internal static object MemberwiseCopy(object o) => CloneMethod.Invoke(o, null)!;
}
