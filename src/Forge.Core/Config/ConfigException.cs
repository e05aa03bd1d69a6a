namespace Forge.Core.Config;

/// <summary>A setting the user gave is unknown or malformed; the message says which and what to do.</summary>
public sealed class ConfigException(string message) : Exception(message);
