using System.Reflection;

namespace Forge.Core.Config;

/// <summary>
/// Every setting Forge understands, read once from the <see cref="SettingAttribute"/>s on <see cref="ForgeConfig"/> and its
/// sections, in declaration order. Nothing here names a setting: a setting is added by adding one property.
/// </summary>
public static class ConfigSchema
{
    public static readonly IReadOnlyList<ConfigKey> Keys = Discover();

    static readonly Dictionary<string, ConfigKey> ByName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out ConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>
    /// Every rule violation among the settings declared on <paramref name="settings"/>'s type (a <see cref="ForgeConfig"/>
    /// section such as <see cref="AugmentOptions"/>), each naming the user's key: "hsv_h=2: must be in [0, 1]".
    /// </summary>
    public static IReadOnlyList<string> Problems(object settings)
    {
        var problems = new List<string>();
        foreach (var key in Keys)
            if (key.Property.DeclaringType == settings.GetType() && key.Problem(key.Property.GetValue(settings)) is { } p) problems.Add(p);
        return problems;
    }

    /// <summary>Throws a <see cref="ConfigException"/> listing every problem, if there are any.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> problems)
    {
        if (problems.Count == 1) throw new ConfigException(problems[0]);
        if (problems.Count > 1) throw new ConfigException("invalid settings:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>The known key closest to a misspelt one, for "did you mean" messages.</summary>
    public static string? Suggest(string name) => KeyValueArguments.Closest(name, Keys.Select(k => k.Name));

    static List<ConfigKey> Discover()
    {
        var defaults = new ForgeConfig();
        var keys = new List<ConfigKey>();
        foreach (var p in Declared(typeof(ForgeConfig)))
        {
            if (p.GetCustomAttribute<SettingsSectionAttribute>() is not null)
            {
                object section = p.GetValue(defaults)!;
                foreach (var q in Declared(p.PropertyType))
                    if (q.GetCustomAttribute<SettingAttribute>() is { } inner) keys.Add(Key(q, inner, q.GetValue(section), p));
            }
            else if (p.GetCustomAttribute<SettingAttribute>() is { } a) keys.Add(Key(p, a, p.GetValue(defaults), null));
        }
        var duplicate = keys.GroupBy(k => k.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"setting '{duplicate.Key}' is declared twice");
        return keys;
    }

    // Declaration order (metadata order), which is the order of 'forge settings' and args.yaml.
    static IEnumerable<PropertyInfo> Declared(Type t) =>
        t.GetProperties(BindingFlags.Instance | BindingFlags.Public).OrderBy(p => p.MetadataToken);

    static ConfigKey Key(PropertyInfo p, SettingAttribute a, object? defaultValue, PropertyInfo? section)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        var kind = type == typeof(bool) ? ConfigValueKind.Bool
            : type == typeof(int) ? ConfigValueKind.Int
            : type == typeof(double) ? ConfigValueKind.Float
            : type == typeof(string) ? ConfigValueKind.String
            : throw new InvalidOperationException($"setting '{a.Name}' ({p.DeclaringType!.Name}.{p.Name}) has unsupported type {p.PropertyType.Name}");
        bool nullable = Nullable.GetUnderlyingType(p.PropertyType) is not null
                        || new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable;
        if (p.GetSetMethod(nonPublic: true) is null)
            throw new InvalidOperationException($"setting '{a.Name}' ({p.DeclaringType!.Name}.{p.Name}) needs a setter (private or init)");
        return new ConfigKey(a.Name, kind, defaultValue, a.Help, a.AltersRun, nullable) { Property = p, Section = section, Rules = a };
    }
}
