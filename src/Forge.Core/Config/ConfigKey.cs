namespace Forge.Core.Config;

public enum ConfigValueKind { Bool, Int, Float, String }

/// <summary>
/// One setting of <see cref="ForgeConfig"/>: its name (Ultralytics' spelling where one exists), type, default and help.
/// <paramref name="AltersRun"/> marks settings whose change makes a resumed run a different run (used to refuse config drift).
/// </summary>
public sealed record ConfigKey(string Name, ConfigValueKind Kind, object? Default, string Help, bool AltersRun = false, bool Nullable = false);
