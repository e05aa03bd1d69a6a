namespace Forge.Core.Config;

/// <summary>
/// Ultralytics 8.3 settings (ultralytics/cfg/default.yaml) that Forge does not implement, each with what to do instead. A key
/// found here is reported as "Ultralytics setting 'X' is not supported by Forge: ..." rather than as an unknown (misspelt) one.
/// A setting Forge declares in <see cref="ForgeConfig"/> is never looked up here, so implementing one needs no change in this file
/// (a test checks that no key is in both).
/// </summary>
public static class UltralyticsSettings
{
    const string Detection = "Forge trains and runs object detectors only";
    const string Export = "'forge export' writes safetensors weights (Ultralytics' tensor names) or format=onnx (opset=, dynamic=); " +
                          "convert other formats from the ONNX file";

    /// <summary>Unsupported key → what to do instead.</summary>
    public static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["task"] = $"{Detection}; leave it out (task=detect is implied)",
        ["mode"] = "give the mode as the first word: forge train|val|predict|export ...",
        ["pretrained"] = "start from weights with model=path/to/weights.safetensors or model=path/to/weights.pt (tensors are matched by name and shape)",
        ["profile"] = "use 'forge bench' for speed figures; results.csv has each epoch's time and memory",
        ["multi_scale"] = "train at one size with imgsz=",
        ["overlap_mask"] = $"{Detection} (segmentation settings have no effect)",
        ["mask_ratio"] = $"{Detection} (segmentation settings have no effect)",
        ["dropout"] = $"{Detection}; dropout applies to classification models",
        ["save_hybrid"] = "save_txt=true writes the predicted boxes as labels",
        ["dnn"] = "inference runs on TorchSharp (libtorch), or on ONNX Runtime for model=path.onnx; leave it out",
        ["stream_buffer"] = "predict reads files (images, videos, folders, globs, .txt lists), not streams",
        ["visualize"] = "feature-map visualisation is not available; leave it out",
        ["augment"] = "test-time augmentation is not available; leave it out",
        ["retina_masks"] = $"{Detection} (segmentation settings have no effect)",
        ["embed"] = "feature embeddings are not available; leave it out",
        ["show"] = "annotated images are saved to the predict run folder (save=true); open them from there",
        ["save_frames"] = "video predictions are saved as an annotated .avi and per-frame labels (save_txt=true)",
        ["save_crop"] = "crops are not written; read the boxes from predictions.json or save_txt=true",
        ["show_boxes"] = "boxes are always drawn on saved images; save=false writes no images",
        ["keras"] = Export,
        ["optimize"] = Export,
        ["int8"] = Export,
        ["simplify"] = "format=onnx writes the graph as Forge builds it (no onnxslim pass); leave it out",
        ["workspace"] = Export,
        ["nms"] = "ONNX exports hold the raw detections (Ultralytics' default nms=false); val and predict with model=path.onnx run NMS",
        ["pose"] = $"{Detection} (pose loss gains have no effect)",
        ["kobj"] = $"{Detection} (pose loss gains have no effect)",
        ["bgr"] = "channel-swap augmentation is not available; leave it out",
        ["copy_paste"] = "copy-paste needs segmentation labels; use mosaic= and mixup=",
        ["copy_paste_mode"] = "copy-paste needs segmentation labels; use mosaic= and mixup=",
        ["auto_augment"] = $"{Detection}; auto_augment applies to classification models",
        ["erasing"] = $"{Detection}; random erasing applies to classification models",
        ["crop_fraction"] = $"{Detection}; crop_fraction applies to classification models",
        ["tracker"] = "tracking is not available; Forge predicts per image",
    };

    /// <summary>The advice for an unsupported Ultralytics key, or null when <paramref name="key"/> is not one.</summary>
    public static string? Advice(string key) => Unsupported.TryGetValue(key, out var advice) ? advice : null;
}
