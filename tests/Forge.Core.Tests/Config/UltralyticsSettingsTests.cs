using System.Text.RegularExpressions;
using Forge.Core.Config;
using Forge.Core.Detection;

namespace Forge.Core.Tests.Config;

/// <summary>The settings Ultralytics users type: accepted in Ultralytics' forms, or refused as "not supported" with advice.</summary>
public class UltralyticsSettingsTests
{
    // Every key of Ultralytics 8.3.57's ultralytics/cfg/default.yaml (read from the reference checkout, listed here by name).
    static readonly string[] UltralyticsKeys =
    [
        "task", "mode", "model", "data", "epochs", "time", "patience", "batch", "imgsz", "save", "save_period", "cache", "device",
        "workers", "project", "name", "exist_ok", "pretrained", "optimizer", "verbose", "seed", "deterministic", "single_cls", "rect",
        "cos_lr", "close_mosaic", "resume", "amp", "fraction", "profile", "freeze", "multi_scale", "overlap_mask", "mask_ratio",
        "dropout", "val", "split", "save_json", "save_hybrid", "conf", "iou", "max_det", "half", "dnn", "plots", "source", "vid_stride",
        "stream_buffer", "visualize", "augment", "agnostic_nms", "classes", "retina_masks", "embed", "show", "save_frames", "save_txt",
        "save_conf", "save_crop", "show_labels", "show_conf", "show_boxes", "line_width", "format", "keras", "optimize", "int8",
        "dynamic", "simplify", "opset", "workspace", "nms", "lr0", "lrf", "momentum", "weight_decay", "warmup_epochs",
        "warmup_momentum", "warmup_bias_lr", "box", "cls", "dfl", "pose", "kobj", "nbs", "hsv_h", "hsv_s", "hsv_v", "degrees",
        "translate", "scale", "shear", "perspective", "flipud", "fliplr", "bgr", "mosaic", "mixup", "copy_paste", "copy_paste_mode",
        "auto_augment", "erasing", "crop_fraction", "cfg", "tracker",
    ];

    [Fact]
    public void EveryUltralyticsKeyIsEitherASettingOrExplainedAsUnsupported()
    {
        var unexplained = UltralyticsKeys.Where(k => k != "cfg" && !ConfigSchema.TryGet(k, out _) && UltralyticsSettings.Advice(k) is null).ToList();
        Assert.Empty(unexplained);
        var both = UltralyticsSettings.Unsupported.Keys.Where(k => ConfigSchema.TryGet(k, out _)).ToList();
        Assert.Empty(both);   // a key Forge implements must leave the unsupported list
    }

    [Fact]
    public void AnUnsupportedUltralyticsKeySaysSoWithWhatToDoInstead()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().Set("pretrained", "true"));
        Assert.StartsWith("Ultralytics setting 'pretrained' is not supported by Forge", e.Message);
        Assert.Contains("model=", e.Message);
        Assert.DoesNotContain("unknown setting", e.Message);
    }

    [Fact]
    public void AMisspeltKeyKeepsItsDidYouMean()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().Set("single_clss", "true"));
        Assert.Contains("unknown setting 'single_clss'", e.Message);
        Assert.Contains("did you mean 'single_cls'?", e.Message);
    }

    [Theory]
    [InlineData("16", false, 16)]
    [InlineData("-1", true, 0.6)]
    [InlineData("0.7", true, 0.7)]
    public void BatchTakesANumberOrAutoBatchForms(string value, bool auto, double expected)
    {
        var c = new ForgeConfig();
        c.Set("batch", value);
        c.Validate();
        Assert.Equal(auto, c.AutoBatch);
        if (auto) Assert.Equal(expected, c.AutoBatchFraction);
        else Assert.Equal((int)expected, c.Batch);
        if (auto) Assert.Throws<InvalidOperationException>(() => c.Batch);
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("1.5")]
    public void OtherBatchValuesAreRefusedNamingTheForms(string value)
    {
        var c = new ForgeConfig();
        c.Set("batch", value);
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Contains($"batch={value}: must be a whole number >= 1, -1 (auto batch) or a fraction in (0, 1)", e.Message);
    }

    [Theory]
    [InlineData("cpu", new int[0])]
    [InlineData("cuda", new[] { 0 })]
    [InlineData("cuda:1", new[] { 1 })]
    [InlineData("0", new[] { 0 })]
    [InlineData("0,1", new[] { 0, 1 })]
    public void DeviceTakesUltralyticsForms(string device, int[] gpus)
    {
        var c = new ForgeConfig();
        c.Set("device", device);
        c.Validate();
        Assert.Equal(gpus, c.CudaDevices());
    }

    [Fact]
    public void AnUnknownDeviceFormIsRefused()
    {
        var c = new ForgeConfig();
        c.Set("device", "gpu");
        Assert.Contains("device=gpu: must be cpu, cuda, cuda:N, N or a list of GPU indices such as 0,1", Assert.Throws<ConfigException>(c.Validate).Message);
    }

    [Theory]
    [InlineData("3", new[] { 0, 1, 2 })]
    [InlineData("[0,3,5]", new[] { 0, 3, 5 })]
    [InlineData("[ 4 ]", new[] { 4 })]
    [InlineData("1,2", new[] { 1, 2 })]
    public void FreezeTakesACountOrAListOfLayers(string value, int[] layers)
    {
        var c = new ForgeConfig();
        c.Set("freeze", value);
        c.Validate();
        Assert.Equal(layers, c.FreezeLayers());
    }

    [Fact]
    public void ClassesSingleClsAgnosticNmsReachNms()
    {
        var c = new ForgeConfig();
        c.Set("classes", "[0,2]");
        c.Set("agnostic_nms", "true");
        c.Validate();
        var predict = c.PredictionNms();
        Assert.True(predict.ClassAgnostic);
        Assert.Equal(new HashSet<int> { 0, 2 }, predict.Classes);
        var single = new ForgeConfig();
        single.Set("single_cls", "true");
        Assert.True(single.ValidationNms().ClassAgnostic);   // as Ultralytics' DetectionValidator
    }

    [Theory]
    [InlineData("ram", true, false)]
    [InlineData("true", true, false)]
    [InlineData("disk", false, true)]
    [InlineData("false", false, false)]
    public void CacheTakesRamDiskTrueFalse(string value, bool ram, bool disk)
    {
        var c = new ForgeConfig();
        c.Set("cache", value);
        c.Validate();
        Assert.Equal((ram, disk), (c.CacheRam, c.CacheDisk));
    }

    [Fact]
    public void ClassesFilterKeepsOnlyThoseClassesBeforeSuppression()
    {
        // Two anchors: anchor 0 is class 1 (0.9), anchor 1 is class 0 (0.8), same box. Without a filter agnostic NMS keeps only
        // anchor 0; with classes=[0] anchor 0 never enters, so anchor 1 survives.
        float[] p = [10, 10, 10, 10, 20, 20, 20, 20, 0.1f, 0.8f, 0.9f, 0.1f];
        var all = NonMaxSuppression.Run(p, 2, 2, new NmsOptions(ClassAgnostic: true));
        Assert.Equal(1, Assert.Single(all).ClassId);
        var only0 = NonMaxSuppression.Run(p, 2, 2, new NmsOptions(ClassAgnostic: true, Classes: new HashSet<int> { 0 }));
        Assert.Equal(0, Assert.Single(only0).ClassId);
    }

    [Fact]
    public void NewSettingsHaveUltralyticsDefaults()
    {
        var c = new ForgeConfig();
        Assert.Equal((false, 1.0, (string?)null, false, "false"), (c.SingleCls, c.Fraction, c.Classes, c.Rect, c.Cache));
        Assert.Equal((false, false, (int?)null, true, true), (c.SaveConf, c.AgnosticNms, c.LineWidth, c.ShowLabels, c.ShowConf));
        Assert.True(c.TensorBoard);
        Assert.Null(c.Time);
        Assert.Matches(new Regex("^batch: 16$", RegexOptions.Multiline), c.ToYaml());
    }
}
