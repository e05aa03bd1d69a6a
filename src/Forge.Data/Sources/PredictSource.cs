namespace Forge.Data.Sources;

/// <summary>What a predict input file is: a still image, or a video read frame by frame.</summary>
public enum SourceKind { Image, Video }

/// <summary>One input file of a predict source, with the stem its outputs are named by (unique among the source's files).</summary>
public sealed record SourceFile(string Path, SourceKind Kind, string OutputStem);
