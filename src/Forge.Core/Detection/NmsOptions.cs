namespace Forge.Core.Detection;

/// <summary>Settings for <see cref="NonMaxSuppression.Run"/>; defaults follow Ultralytics prediction defaults.</summary>
/// <param name="ConfThreshold">A class score must be strictly greater than this to become a candidate.</param>
/// <param name="IouThreshold">A candidate whose IoU with a kept box of the same class is strictly greater than this is suppressed.</param>
/// <param name="MaxDetections">Most boxes returned per image.</param>
/// <param name="MultiLabel">One candidate per (anchor, class) above the threshold instead of only the best class per anchor.</param>
/// <param name="ClassAgnostic">Suppress across classes as well.</param>
/// <param name="MaxCandidates">Most candidates (highest scores first) that enter suppression.</param>
/// <param name="Classes">Keep only candidates of these class ids (Ultralytics' classes=), applied before MaxCandidates; null = all.</param>
public sealed record NmsOptions(
    float ConfThreshold = 0.25f,
    float IouThreshold = 0.7f,
    int MaxDetections = 300,
    bool MultiLabel = false,
    bool ClassAgnostic = false,
    int MaxCandidates = 30000,
    IReadOnlySet<int>? Classes = null);
