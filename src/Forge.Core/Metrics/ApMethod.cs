namespace Forge.Core.Metrics;

/// <summary>Which average-precision definition validation reports.</summary>
public enum ApMethod
{
    /// <summary>Ultralytics' ap_per_class / compute_ap (what `yolo val` prints): <see cref="UltralyticsEvaluator"/>.</summary>
    Ultralytics,
    /// <summary>pycocotools COCOeval (bbox, area all, maxDets 100, crowd regions ignored): <see cref="DetectionEvaluator"/>.</summary>
    Coco,
}

public static class ApMethods
{
    /// <summary>Parses the ap_method setting (ultralytics or coco, any case). Throws <see cref="ArgumentException"/> naming the choices.</summary>
    public static ApMethod Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "ultralytics" => ApMethod.Ultralytics,
        "coco" or "pycocotools" => ApMethod.Coco,
        _ => throw new ArgumentException($"ap_method={value}: use ultralytics (Ultralytics' ap_per_class, the default) or coco (pycocotools COCOeval)"),
    };
}
