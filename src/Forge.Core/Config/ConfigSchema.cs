namespace Forge.Core.Config;

/// <summary>Every setting Forge understands, with Ultralytics-compatible names and defaults.</summary>
public static class ConfigSchema
{
    static ConfigKey B(string n, bool d, string h, bool alters = false) => new(n, ConfigValueKind.Bool, d, h, alters);
    static ConfigKey I(string n, int d, string h, bool alters = false) => new(n, ConfigValueKind.Int, d, h, alters);
    static ConfigKey F(string n, double d, string h, bool alters = false) => new(n, ConfigValueKind.Float, d, h, alters);
    static ConfigKey S(string n, string? d, string h, bool alters = false) => new(n, ConfigValueKind.String, d, h, alters, Nullable: d is null);
    static ConfigKey NF(string n, string h) => new(n, ConfigValueKind.Float, null, h, false, Nullable: true);

    public static readonly IReadOnlyList<ConfigKey> Keys =
    [
        // what and where
        S("data", "shapes", "dataset: a data.yaml path, or 'shapes' for the embedded generated dataset", alters: true),
        S("model", "yolov8n", "model: yolov8{n,s,m,l,x} or yolo11{n,s,m,l,x} (from scratch), a model yaml (yolo11s.yaml or your own), or weights: an Ultralytics .pt or a Forge .safetensors", alters: true),
        S("project", "runs/detect", "parent folder of run folders"),
        S("name", null, "run folder name (default: train, val or predict, numbered if it exists)"),
        B("exist_ok", false, "reuse an existing run folder instead of numbering a new one"),
        S("device", "cpu", "cpu, cuda or cuda:N"),
        I("workers", 2, "data loader threads (0 = load on the training thread)"),
        I("seed", 0, "random seed for weights, sampling and augmentation", alters: true),
        B("deterministic", true, "prefer deterministic algorithms"),
        I("threads", 0, "intra-op threads for the tensor library or ONNX Runtime (0 = all cores / ranks on this machine)"),
        // schedule
        I("epochs", 100, "number of epochs", alters: true),
        I("patience", 100, "early stop after this many epochs without fitness improvement (0 = never)"),
        I("batch", 16, "images per step (global batch across ranks)", alters: true),
        I("imgsz", 640, "train/val image size (square, multiple of 32)", alters: true),
        I("nbs", 64, "nominal batch size: gradients are accumulated to it and weight decay scaled by it", alters: true),
        S("optimizer", "auto", "SGD, AdamW or auto (AdamW for short runs, SGD for long ones, like Ultralytics)", alters: true),
        F("lr0", 0.01, "initial learning rate (auto optimizer picks its own)", alters: true),
        F("lrf", 0.01, "final learning rate as a fraction of lr0", alters: true),
        F("momentum", 0.937, "SGD momentum / Adam beta1", alters: true),
        F("weight_decay", 0.0005, "weight decay (scaled by batch*accumulate/nbs)", alters: true),
        F("warmup_epochs", 3.0, "warm-up epochs (at least 100 iterations)", alters: true),
        F("warmup_momentum", 0.8, "initial momentum during warm-up", alters: true),
        F("warmup_bias_lr", 0.1, "initial bias learning rate during warm-up", alters: true),
        B("cos_lr", false, "cosine learning-rate schedule instead of linear", alters: true),
        F("max_norm", 10.0, "gradient clipping: maximum total gradient norm", alters: true),
        I("close_mosaic", 10, "disable mosaic for the last N epochs", alters: true),
        B("amp", true, "mixed precision on CUDA (ignored on CPU)"),
        B("cache", false, "keep decoded, resized images in RAM"),
        // loss
        F("box", 7.5, "box loss gain", alters: true),
        F("cls", 0.5, "classification loss gain", alters: true),
        F("dfl", 1.5, "distribution focal loss gain", alters: true),
        // augmentation
        F("hsv_h", 0.015, "hue augmentation (fraction)", alters: true),
        F("hsv_s", 0.7, "saturation augmentation (fraction)", alters: true),
        F("hsv_v", 0.4, "value augmentation (fraction)", alters: true),
        F("degrees", 0.0, "rotation (+/- degrees)", alters: true),
        F("translate", 0.1, "translation (+/- fraction)", alters: true),
        F("scale", 0.5, "scale gain (+/-)", alters: true),
        F("shear", 0.0, "shear (+/- degrees)", alters: true),
        F("perspective", 0.0, "perspective (+/- fraction of the image size, 0..0.001)", alters: true),
        F("flipud", 0.0, "vertical flip probability", alters: true),
        F("fliplr", 0.5, "horizontal flip probability", alters: true),
        F("mosaic", 1.0, "mosaic probability", alters: true),
        F("mixup", 0.0, "mixup probability", alters: true),
        // validation / prediction
        B("val", true, "validate after every epoch"),
        S("split", "val", "dataset split for 'forge val'"),
        NF("conf", "confidence threshold (default 0.001 for val, 0.25 for predict)"),
        F("iou", 0.7, "NMS IoU threshold"),
        I("max_det", 300, "maximum detections per image"),
        B("rect", false, "val: rectangular batches (sorted by aspect ratio, padded to a stride multiple); 'forge val' uses them unless rect=false, like Ultralytics' model.val"),
        S("ap_method", "ultralytics", "val: AP definition reported: ultralytics (ap_per_class, 101-point interp of its PR curve) or coco (pycocotools COCOeval, crowd regions ignored)"),
        S("source", null, "predict: an image, a video (mp4/avi/mkv/mov...), a folder, a glob ('dir/*.jpg') or a .txt list of them"),
        I("vid_stride", 1, "predict: use every N-th video frame"),
        B("save_txt", false, "predict: save boxes as YOLO .txt files"),
        B("save_json", true, "predict: save all boxes in predictions.json"),
        B("save", true, "save checkpoints (train) or annotated images (predict)"),
        I("save_period", -1, "also keep a checkpoint every N epochs (-1 = off)"),
        B("plots", true, "write PNG plots"),
        B("verbose", true, "print per-class metrics"),
        S("format", "safetensors", "export: onnx (Ultralytics' ONNX layout, runs on ONNX Runtime) or safetensors (plain weights with Ultralytics' tensor names)"),
        I("opset", 17, "export: ONNX op-set (13 to 23)"),
        B("dynamic", false, "export: ONNX with dynamic batch, height and width axes"),
        // checkpoints and resume
        S("resume", null, "resume a run: a run folder or checkpoint path, or 'true' for the newest run in project"),
        B("resume_force", false, "resume even when settings that change the run differ from the checkpoint's"),
        I("save_period_steps", 0, "also save 'last' every N optimizer steps (0 = only at epoch ends)"),
        I("keep", 0, "keep only the newest N epoch snapshots of save_period (0 = all)"),
        // distributed data-parallel
        I("nproc", 1, "processes (ranks) to start on this machine; >1 launches Open MPI's mpirun"),
        I("nnodes", 1, "machines taking part (torchrun-style; multi-node runs go through mpirun with hostfile=)"),
        I("node_rank", 0, "this machine's index among nnodes (torchrun-style)"),
        S("master_addr", null, "the first machine's host name (torchrun-style)"),
        S("hostfile", null, "Open MPI hostfile for multi-node runs (one 'host slots=N' line per machine)"),
        B("sync_bn", false, "synchronise BatchNorm statistics across ranks"),
        F("bucket_mb", 25.0, "gradient all-reduce bucket size in MB"),
    ];

    static readonly Dictionary<string, ConfigKey> ByName = Keys.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out ConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>The known key closest to a misspelt one, for "did you mean" messages.</summary>
    public static string? Suggest(string name) => KeyValueArguments.Closest(name, Keys.Select(k => k.Name));
}
