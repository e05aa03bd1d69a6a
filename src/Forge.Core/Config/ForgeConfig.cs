namespace Forge.Core.Config;

/// <summary>
/// The resolved settings of one train / val / predict job: defaults, then an optional cfg yaml, then command-line
/// <c>key=value</c> pairs. This file is the one place a setting is declared: the property's type is its type, its initializer
/// the default, and its <see cref="SettingAttribute"/> the user's key, help text, rules and whether changing it alters a
/// resumed run. <see cref="ConfigSchema"/> reads these declarations; nothing else names a setting twice.
/// Settings that travel together to one consumer live in a section (<see cref="AugmentOptions"/>).
/// </summary>
public sealed partial class ForgeConfig
{
    // what and where
    [Setting("data", "dataset: a data.yaml path, or 'shapes' for the embedded generated dataset", AltersRun = true)]
    public string Data { get; private set; } = "shapes";
    [Setting("model", "model: yolov8{n,s,m,l,x} or yolo11{n,s,m,l,x} (from scratch), a model yaml (yolo11s.yaml or your own), " +
                      "or weights: an Ultralytics .pt or a Forge .safetensors", AltersRun = true)]
    public string Model { get; private set; } = "yolov8n";
    [Setting("project", "parent folder of run folders")]
    public string Project { get; private set; } = "runs/detect";
    [Setting("name", "run folder name (default: train, val or predict, numbered if it exists)")]
    public string? Name { get; private set; }
    [Setting("exist_ok", "reuse an existing run folder instead of numbering a new one")]
    public bool ExistOk { get; private set; }
    [Setting("device", "cpu, cuda, cuda:N, or Ultralytics' GPU indices: 0, or 0,1 (several GPUs: one data-parallel rank each)",
             Pattern = @"^(cpu|cuda|cuda:\d+|\d+(,\d+)*)$", Expect = "cpu, cuda, cuda:N, N or a list of GPU indices such as 0,1")]
    public string Device { get; private set; } = "cpu";
    [Setting("workers", "data loader threads (0 = load on the training thread)", Min = 0)]
    public int Workers { get; private set; } = 2;
    [Setting("seed", "random seed for weights, sampling and augmentation", AltersRun = true)]
    public int Seed { get; private set; }
    [Setting("deterministic", "use the tensor library's deterministic algorithms (torch.use_deterministic_algorithms, warn-only; " +
                              "on CUDA also CUBLAS_WORKSPACE_CONFIG=:4096:8)")]
    public bool Deterministic { get; private set; } = true;
    [Setting("threads", "intra-op threads for the tensor library or ONNX Runtime (0 = all cores / ranks on this machine)", Min = 0)]
    public int Threads { get; private set; }

    // schedule
    [Setting("epochs", "number of epochs", AltersRun = true, Min = 1)]
    public int Epochs { get; private set; } = 100;
    [Setting("time", "hours of training; overrides epochs: re-planned from the measured epoch time, stops and saves at the limit", Min = 0, MinExclusive = true)]
    public double? Time { get; private set; }
    [Setting("patience", "early stop after this many epochs without fitness improvement (0 = never)", Min = 0)]
    public int Patience { get; private set; } = 100;
    [Setting("batch", "images per step (global batch across ranks); -1 = auto batch for 60% of the device's memory, 0.7 = for 70%",
             AltersRun = true, Pattern = @"^(-1|0\.\d*[1-9]\d*|[1-9]\d*)$",
             Expect = "a whole number >= 1, -1 (auto batch) or a fraction in (0, 1) (auto batch for that share of memory)")]
    public double BatchSetting { get; private set; } = 16;
    [Setting("imgsz", "train/val image size (square, multiple of 32)", AltersRun = true, Min = 32, MultipleOf = 32)]
    public int ImgSize { get; private set; } = 640;
    [Setting("nbs", "nominal batch size: gradients are accumulated to it and weight decay scaled by it", AltersRun = true, Min = 1)]
    public int NominalBatch { get; private set; } = 64;
    [Setting("optimizer", "SGD, AdamW or auto (AdamW for short runs, SGD for long ones, like Ultralytics)", AltersRun = true, OneOf = "SGD|AdamW|auto")]
    public string Optimizer { get; private set; } = "auto";
    [Setting("lr0", "initial learning rate (auto optimizer picks its own)", AltersRun = true, Min = 0, Max = 1)]
    public double Lr0 { get; private set; } = 0.01;
    [Setting("lrf", "final learning rate as a fraction of lr0", AltersRun = true, Min = 0, Max = 1)]
    public double Lrf { get; private set; } = 0.01;
    [Setting("momentum", "SGD momentum / Adam beta1", AltersRun = true, Min = 0, Max = 1)]
    public double Momentum { get; private set; } = 0.937;
    [Setting("weight_decay", "weight decay (scaled by batch*accumulate/nbs)", AltersRun = true, Min = 0, Max = 1)]
    public double WeightDecay { get; private set; } = 0.0005;
    [Setting("warmup_epochs", "warm-up epochs (at least 100 iterations)", AltersRun = true, Min = 0)]
    public double WarmupEpochs { get; private set; } = 3.0;
    [Setting("warmup_momentum", "initial momentum during warm-up", AltersRun = true, Min = 0, Max = 1)]
    public double WarmupMomentum { get; private set; } = 0.8;
    [Setting("warmup_bias_lr", "initial bias learning rate during warm-up", AltersRun = true, Min = 0, Max = 1)]
    public double WarmupBiasLr { get; private set; } = 0.1;
    [Setting("cos_lr", "cosine learning-rate schedule instead of linear", AltersRun = true)]
    public bool CosLr { get; private set; }
    [Setting("max_norm", "gradient clipping: maximum total gradient norm", AltersRun = true, Min = 0, MinExclusive = true)]
    public double MaxNorm { get; private set; } = 10.0;
    [Setting("close_mosaic", "disable mosaic for the last N epochs", AltersRun = true, Min = 0)]
    public int CloseMosaic { get; private set; } = 10;
    [Setting("amp", "mixed precision. true (Ultralytics' default: mixed precision on CUDA, float32 elsewhere): float32 on CPU, as " +
                    "Ultralytics trains there; refused on CUDA until Forge implements it. bf16: the training forward and each epoch's " +
                    "validation in bfloat16 autocast on CPU, as Ultralytics validates in float16 under AMP (parameters, gradients, " +
                    "optimizer state, the loss, the head's outputs and the final validation stay float32): 1.35-1.8x faster training " +
                    "where the CPU computes bfloat16 natively (AMX, AVX512-BF16), at float32's accuracy on fine-tunes but below it on " +
                    "small data sets from scratch (bench/README.md, \"amp=bf16\", \"amp=true is float32 on CPU\"). false: float32",
             OneOf = "true|false|bf16")]
    public string Amp { get; private set; } = "true";
    [Setting("half", "val and predict in reduced precision: on CPU the forward in bfloat16 autocast (Ultralytics' half=True is float16 " +
                     "on CUDA and ignored on CPU): faster where the CPU computes bfloat16 natively (AMX, AVX512-BF16), COCO128 mAP50-95 " +
                     "unchanged to 3 places (bench/README.md). Refused on CUDA, for ONNX models, by export and by train (use amp=bf16)")]
    public bool Half { get; private set; }
    [Setting("channels_last", "lay convolution weights and activations out channels_last (NHWC) for validation (also each epoch's " +
                              "in training) and predict: faster with oneDNN on x86-64 CPUs (bench/README.md, inference); results equal up " +
                              "to float32 rounding, exports keep the standard layout; convolutions libtorch computes wrongly channels_last " +
                              "on this CPU run NCHW, with a note (README.md). Training steps run NCHW, as Ultralytics': channels_last " +
                              "steps drifted from its updates on CPU (bench/README.md, \"channels_last training against NCHW\")")]
    public bool ChannelsLast { get; private set; } = true;
    [Setting("recompute", "true: training keeps only each Conv block's convolution output for backward and recomputes its " +
                          "BatchNorm+SiLU there, about a third less activation memory for 10-20% longer epochs on CPU (BCCD fine-tune at " +
                          "416: peak 2.15 instead of 2.41 GB, 343 instead of 299 s; bench/README.md); results bitwise the same either way")]
    public bool Recompute { get; private set; } = false;
    [Setting("cache", "cache decoded images: ram (or true) keeps them in memory, disk writes an .npy beside each image (as Ultralytics), false",
             OneOf = "false|true|ram|disk")]
    public string Cache { get; private set; } = "false";
    [Setting("freeze", "freeze layers for fine-tuning: N = the first N (model.0 ... model.N-1), or a list of layer indices such as [0,3,5]",
             AltersRun = true, Pattern = @"^(\d+|\[\s*\d+(\s*,\s*\d+)*\s*\]|\d+(\s*,\s*\d+)+)$", Expect = "a number of layers or a list of layer indices such as [0,3,5]")]
    public string? Freeze { get; private set; }
    [Setting("single_cls", "train as one class ('item'): every label becomes class 0", AltersRun = true)]
    public bool SingleCls { get; private set; }
    [Setting("fraction", "train on this fraction of the training images (the first ones, as Ultralytics)", AltersRun = true, Min = 0, MinExclusive = true, Max = 1)]
    public double Fraction { get; private set; } = 1.0;
    [Setting("classes", "only these class ids, such as [0,2]: training keeps only their labels; val and predict keep only their detections",
             AltersRun = true, Pattern = @"^(\d+|\[\s*\d+(\s*,\s*\d+)*\s*\]|\d+(\s*,\s*\d+)+)$", Expect = "a class id or a list such as [0,2]")]
    public string? Classes { get; private set; }

    // loss
    [Setting("box", "box loss gain", AltersRun = true, Min = 0)]
    public double BoxGain { get; private set; } = 7.5;
    [Setting("cls", "classification loss gain", AltersRun = true, Min = 0)]
    public double ClsGain { get; private set; } = 0.5;
    [Setting("dfl", "distribution focal loss gain", AltersRun = true, Min = 0)]
    public double DflGain { get; private set; } = 1.5;

    /// <summary>Training augmentation (hsv_h ... mixup), the record the data pipeline receives.</summary>
    [SettingsSection]
    public AugmentOptions Augment { get; private set; } = new();

    // validation / prediction
    [Setting("val", "validate after every epoch")]
    public bool Val { get; private set; } = true;
    [Setting("split", "dataset split for 'forge val'")]
    public string Split { get; private set; } = "val";
    [Setting("conf", "confidence threshold (default 0.001 for val, 0.25 for predict)", Min = 0, Max = 1)]
    public double? Conf { get; private set; }
    [Setting("iou", "NMS IoU threshold", Min = 0, MinExclusive = true, Max = 1)]
    public double Iou { get; private set; } = 0.7;
    [Setting("max_det", "maximum detections per image", Min = 1)]
    public int MaxDet { get; private set; } = 300;
    [Setting("rect", "rectangular batches (images sorted by aspect ratio, each batch letterboxed to its own stride-multiple " +
                     "rectangle): 'forge val' uses them unless rect=false, like Ultralytics' model.val; train: rect=true trains " +
                     "on them in a fixed order, without shuffle or mosaic (validation during training is always rectangular)")]
    public bool Rect { get; private set; }
    [Setting("ap_method", "val: AP definition reported: ultralytics (ap_per_class, 101-point interp of its PR curve) or coco " +
                          "(pycocotools COCOeval, crowd regions ignored)", OneOf = "ultralytics|coco")]
    public string ApMethod { get; private set; } = "ultralytics";
    [Setting("source", "predict: an image, a video (mp4/avi/mkv/mov...), a folder, a glob ('dir/*.jpg') or a .txt list of them")]
    public string? Source { get; private set; }
    [Setting("vid_stride", "predict: use every N-th video frame", Min = 1)]
    public int VidStride { get; private set; } = 1;
    [Setting("save_txt", "predict: save boxes as YOLO .txt files")]
    public bool SaveTxt { get; private set; }
    [Setting("save_conf", "predict: save_txt also writes each box's confidence (a sixth column)")]
    public bool SaveConf { get; private set; }
    [Setting("agnostic_nms", "class-agnostic NMS: one box per object whatever its class")]
    public bool AgnosticNms { get; private set; }
    [Setting("line_width", "predict: box line width in pixels (default: from the image size)", Min = 1)]
    public int? LineWidth { get; private set; }
    [Setting("show_labels", "predict: write the class name on each box")]
    public bool ShowLabels { get; private set; } = true;
    [Setting("show_conf", "predict: write the confidence on each box")]
    public bool ShowConf { get; private set; } = true;
    [Setting("save_json", "predict: save all boxes in predictions.json")]
    public bool SaveJson { get; private set; } = true;
    [Setting("save", "save checkpoints (train) or annotated images (predict)")]
    public bool Save { get; private set; } = true;
    [Setting("save_period", "also keep a checkpoint every N epochs (-1 = off)", Min = -1)]
    public int SavePeriod { get; private set; } = -1;
    [Setting("plots", "write PNG plots")]
    public bool Plots { get; private set; } = true;
    [Setting("tensorboard", "train: write TensorBoard scalars (losses, metrics, learning rates per epoch) to the run folder")]
    public bool TensorBoard { get; private set; } = true;
    [Setting("verbose", "print per-class metrics")]
    public bool Verbose { get; private set; } = true;
    [Setting("format", "export: onnx (Ultralytics' ONNX layout, runs on ONNX Runtime) or safetensors (plain weights with " +
                       "Ultralytics' tensor names)", OneOf = "onnx|safetensors")]
    public string Format { get; private set; } = "safetensors";
    /// <summary>The range is Forge.Export's (OnnxExportOptions.MinOpset..MaxOpset; a CLI test keeps the two equal).</summary>
    [Setting("opset", "export: ONNX op-set (13 to 23)", Min = 13, Max = 23)]
    public int Opset { get; private set; } = 17;
    [Setting("dynamic", "export: ONNX with dynamic batch, height and width axes")]
    public bool Dynamic { get; private set; }

    // checkpoints and resume
    [Setting("resume", "resume a run: a run folder or checkpoint path, or 'true' for the newest run in project")]
    public string? Resume { get; private set; }
    [Setting("resume_force", "resume even when settings that change the run differ from the checkpoint's")]
    public bool ResumeForce { get; private set; }
    [Setting("save_period_steps", "also save 'last' every N optimizer steps (0 = only at epoch ends)", Min = 0)]
    public int SavePeriodSteps { get; private set; }
    [Setting("keep", "keep only the newest N epoch snapshots of save_period (0 = all)", Min = 0)]
    public int Keep { get; private set; }

    // distributed data-parallel
    [Setting("nproc", "processes (ranks) to start on this machine; >1 launches Open MPI's mpirun", Min = 1)]
    public int NProc { get; private set; } = 1;
    [Setting("nnodes", "machines taking part (torchrun-style; multi-node runs go through mpirun with hostfile=)", Min = 1)]
    public int NNodes { get; private set; } = 1;
    [Setting("node_rank", "this machine's index among nnodes (torchrun-style)", Min = 0)]
    public int NodeRank { get; private set; }
    [Setting("master_addr", "the first machine's host name (torchrun-style)")]
    public string? MasterAddr { get; private set; }
    [Setting("hostfile", "Open MPI hostfile for multi-node runs (one 'host slots=N' line per machine)")]
    public string? HostFile { get; private set; }
    [Setting("max_restarts", "restart a failed multi-process job (a rank died, was killed or threw) from its newest checkpoint " +
                             "up to N times (torchrun's name; 0 = never). Usage errors and SIGTERM/Ctrl-C are not restarted", Min = 0)]
    public int MaxRestarts { get; private set; }
    [Setting("min_nproc", "fewest ranks a restart may continue on when machines of hostfile= are unreachable (0 = all of them)", Min = 0)]
    public int MinNProc { get; private set; }
    [Setting("sync_bn", "synchronise BatchNorm statistics across ranks")]
    public bool SyncBn { get; private set; }
    [Setting("bucket_mb", "gradient all-reduce bucket size in MB", Min = 0, MinExclusive = true)]
    public double BucketMb { get; private set; } = 25.0;
}
