using System.Reflection;

namespace Forge.Training;

public static class ForgeInfo
{
    public static string Version { get; } =
        typeof(ForgeInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
