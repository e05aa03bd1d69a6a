using Forge.Core.Config;

namespace Forge.Core.Tests.Config;

/// <summary>Defaults, command-line parsing, typing and validation of <see cref="ForgeConfig"/>.</summary>
public class ForgeConfigArgumentTests
{
    [Fact]
    public void DefaultsMatchUltralytics()
    {
        var c = new ForgeConfig();
        Assert.Equal("shapes", c.Data);
        Assert.Equal("yolov8n", c.Model);
        Assert.Equal("runs/detect", c.Project);
        Assert.Null(c.Name);
        Assert.Equal(100, c.Epochs);
        Assert.Equal(100, c.Patience);
        Assert.Equal(16, c.Batch);
        Assert.Equal(640, c.ImgSize);
        Assert.Equal(64, c.NominalBatch);
        Assert.Equal("auto", c.Optimizer);
        Assert.Equal(0.01, c.Lr0);
        Assert.Equal(0.01, c.Lrf);
        Assert.Equal(0.937, c.Momentum);
        Assert.Equal(0.0005, c.WeightDecay);
        Assert.Equal(3.0, c.WarmupEpochs);
        Assert.Equal(0.8, c.WarmupMomentum);
        Assert.Equal(0.1, c.WarmupBiasLr);
        Assert.False(c.CosLr);
        Assert.Equal(10.0, c.MaxNorm);
        Assert.Equal(10, c.CloseMosaic);
        Assert.Equal(7.5, c.BoxGain);
        Assert.Equal(0.5, c.ClsGain);
        Assert.Equal(1.5, c.DflGain);
        Assert.Null(c.Conf);
        Assert.Equal(0.7, c.Iou);
        Assert.Equal(300, c.MaxDet);
        Assert.Equal(-1, c.SavePeriod);
        Assert.True(c.Val);
        Assert.Null(c.Resume);
        Assert.Equal("cpu", c.Device);
        c.Validate();   // the defaults are a valid configuration
    }

    [Fact]
    public void EveryKeyStartsAtItsSchemaDefault()
    {
        var c = new ForgeConfig();
        foreach (var k in ConfigSchema.Keys) Assert.Equal(k.Default, c[k.Name]);
        Assert.Equal(ConfigSchema.Keys.Count, ConfigSchema.Keys.Select(k => k.Name).Distinct().Count());
    }

    [Fact]
    public void ArgumentsAreStoredWithTheirSchemaTypes()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["epochs=3", "imgsz=320", "lr0=0.02", "cos_lr=True"]);
        Assert.IsType<int>(c["epochs"]);
        Assert.IsType<int>(c["imgsz"]);
        Assert.IsType<double>(c["lr0"]);
        Assert.IsType<bool>(c["cos_lr"]);
        Assert.Equal(3, c.Epochs);
        Assert.Equal(320, c.ImgSize);
        Assert.Equal(0.02, c.Lr0);
        Assert.True(c.CosLr);
        // Untouched keys keep their defaults.
        Assert.Equal(16, c.Batch);
        Assert.Equal(0.01, c.Lrf);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("'true'", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("Off", false)]
    public void BoolSpellings(string text, bool expected)
    {
        var c = new ForgeConfig();
        c.ApplyArguments([$"exist_ok={!expected}"]);
        c.ApplyArguments([$"exist_ok={text}"]);
        Assert.Equal(expected, c.ExistOk);
    }

    [Fact]
    public void BadBoolNamesKeyAndValue()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["cos_lr=maybe"]));
        Assert.Contains("'cos_lr'", e.Message);
        Assert.Contains("'maybe'", e.Message);
    }

    [Theory]
    [InlineData("3.0", 3)]
    [InlineData("3", 3)]
    [InlineData("-1", -1)]
    [InlineData("1e2", 100)]
    [InlineData(" 7 ", 7)]
    public void IntegersAcceptWholeNumbersWrittenAsFloats(string text, int expected)
    {
        var c = new ForgeConfig();
        c.ApplyArguments([$"epochs={text}"]);
        Assert.Equal(expected, c.Epochs);
        Assert.IsType<int>(c["epochs"]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("3.5")]
    [InlineData("1e20")]
    public void NonIntegerForIntegerKeyIsRejected(string text)
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments([$"epochs={text}"]));
        Assert.Contains("'epochs'", e.Message);
        Assert.Contains("integer", e.Message);
        Assert.Contains(text, e.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void NonFiniteOrNonNumericFloatIsRejected(string text)
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments([$"lr0={text}"]));
        Assert.Contains("'lr0'", e.Message);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void FailedArgumentLeavesEarlierValue()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["epochs=5"]);
        Assert.Throws<ConfigException>(() => c.ApplyArguments(["epochs=five"]));
        Assert.Equal(5, c.Epochs);
    }

    [Fact]
    public void MissingValueForNonNullableNumberIsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["lr0="]));
        Assert.Contains("'lr0'", e.Message);
        Assert.Contains("needs a value", e.Message);
    }

    [Fact]
    public void ImgszNotMultipleOf32FailsValidationNamingTheKey()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["imgsz=100"]);   // parses: it is an integer
        Assert.Equal(100, c.ImgSize);
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Equal("imgsz=100: must be a multiple of 32 and >= 32", e.Message);
    }

    [Theory]
    [InlineData("epochs=0", "must be >= 1")]
    [InlineData("batch=0", "must be a whole number >= 1, -1 (auto batch) or a fraction in (0, 1) (auto batch for that share of memory)")]
    [InlineData("imgsz=16", "must be a multiple of 32 and >= 32")]
    [InlineData("workers=-1", "must be >= 0")]
    [InlineData("iou=0", "must be in (0, 1]")]
    [InlineData("iou=1.5", "must be in (0, 1]")]
    [InlineData("conf=1.5", "must be in [0, 1]")]
    [InlineData("conf=-0.1", "must be in [0, 1]")]
    [InlineData("optimizer=Adam", "must be one of SGD, AdamW, auto")]
    [InlineData("perspective=0.002", "must be in [0, 0.001]")]
    [InlineData("vid_stride=0", "must be >= 1")]
    [InlineData("ap_method=voc", "must be one of ultralytics, coco")]
    [InlineData("format=tflite", "must be one of onnx, safetensors")]
    [InlineData("opset=9", "must be in [13, 23]")]
    [InlineData("device=gpu", "must be cpu, cuda, cuda:N, N or a list of GPU indices such as 0,1")]
    [InlineData("hsv_h=2", "must be in [0, 1]")]
    [InlineData("degrees=200", "must be in [0, 180]")]
    [InlineData("lr0=1.5", "must be in [0, 1]")]
    [InlineData("max_norm=0", "must be > 0")]
    public void ValidateNamesTheUsersKeyAndValue(string arg, string problem)
    {
        var c = new ForgeConfig();
        c.ApplyArguments([arg]);
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Equal($"{arg}: {problem}", e.Message);
    }

    [Fact]
    public void ValidateListsEveryProblemAtOnce()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["epochs=0", "hsv_v=-1"]);
        var e = Assert.Throws<ConfigException>(c.Validate);
        Assert.Contains("epochs=0: must be >= 1", e.Message);
        Assert.Contains("hsv_v=-1: must be in [0, 1]", e.Message);
    }

    [Fact]
    public void AugmentationSettingsArriveAsTheRecordThePipelineTakes()
    {
        var c = new ForgeConfig();
        var before = c.Augment;
        c.ApplyArguments(["hsv_h=0.5", "mosaic=0"]);
        Assert.Equal(new AugmentOptions { HsvH = 0.5, Mosaic = 0 }, c.Augment);
        Assert.Equal(new AugmentOptions(), before);   // a record handed out earlier is never changed
        Assert.Equal(0.5, c["hsv_h"]);
    }

    [Theory]
    [InlineData("optimizer=SGD")]
    [InlineData("optimizer=adamw")]
    [InlineData("device=cuda:1")]
    [InlineData("device=cuda")]
    [InlineData("imgsz=32")]
    [InlineData("conf=0")]
    [InlineData("conf=1")]
    [InlineData("iou=1")]
    public void ValidateAcceptsBoundaryValues(string arg)
    {
        var c = new ForgeConfig();
        c.ApplyArguments([arg]);
        c.Validate();
    }

    [Fact]
    public void UnknownKeySuggestsTheClosestKnownOne()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["epoch=3"]));
        Assert.Contains("unknown setting 'epoch'", e.Message);
        Assert.Contains("did you mean 'epochs'?", e.Message);

        e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["lr=0.1"]));
        Assert.Contains("did you mean 'lr0'?", e.Message);   // lr0 and lrf are both one edit away; the first in schema order wins

        e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["imgsize=320"]));
        Assert.Contains("did you mean 'imgsz'?", e.Message);
    }

    [Fact]
    public void UnrelatedUnknownKeyPointsToHelpInstead()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["qqqqqqqqqqqqqqqq=1"]));
        Assert.Contains("unknown setting 'qqqqqqqqqqqqqqqq'", e.Message);
        Assert.DoesNotContain("did you mean", e.Message);
        Assert.Contains("forge help", e.Message);
        Assert.Null(ConfigSchema.Suggest("qqqqqqqqqqqqqqqq"));
    }

    [Fact]
    public void SuggestionIsCaseInsensitive()
    {
        Assert.Equal("epochs", ConfigSchema.Suggest("EPOCHS"));
        Assert.Equal("warmup_bias_lr", ConfigSchema.Suggest("warmup_bias_l"));
    }

    [Fact]
    public void ArgumentWithoutEqualsSignIsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["epochs"]));
        Assert.Contains("'epochs'", e.Message);
        Assert.Contains("key=value", e.Message);
        Assert.Throws<ConfigException>(() => new ForgeConfig().ApplyArguments(["=3"]));
    }

    [Fact]
    public void DashedFormsAreAccepted()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["--epochs=3", "-batch=8", "--cos-lr=true", "--warmup-bias-lr=0.05", "save_period = 4"]);
        Assert.Equal(3, c.Epochs);
        Assert.Equal(8, c.Batch);
        Assert.True(c.CosLr);
        Assert.Equal(0.05, c.WarmupBiasLr);
        Assert.Equal(4, c.SavePeriod);
    }

    [Fact]
    public void ValueMayContainEqualsSigns()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["name=a=b"]);
        Assert.Equal("a=b", c.Name);
    }

    [Fact]
    public void ConfIsNullableFloat()
    {
        var c = new ForgeConfig();
        Assert.Null(c.Conf);
        Assert.Null(c["conf"]);
        c.ApplyArguments(["conf=0.25"]);
        Assert.Equal(0.25, c.Conf);
        Assert.IsType<double>(c["conf"]);
        foreach (var none in new[] { "None", "null", "~", "" })
        {
            c.ApplyArguments(["conf=0.5"]);
            c.ApplyArguments([$"conf={none}"]);
            Assert.Null(c.Conf);
        }
        c.With("conf", 0.125);
        Assert.Equal(0.125, c.Conf);
        c.With("conf", null);
        Assert.Null(c.Conf);
    }

    [Fact]
    public void NullableStringsAcceptNone()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["name=exp"]);
        Assert.Equal("exp", c.Name);
        c.ApplyArguments(["name=None"]);
        Assert.Null(c.Name);
    }

    [Fact]
    public void QuotedValuesAreUnquoted()
    {
        var c = new ForgeConfig();
        c.ApplyArguments(["name='my run'", "project=\"out dir\""]);
        Assert.Equal("my run", c.Name);
        Assert.Equal("out dir", c.Project);
    }

    [Fact]
    public void WithParsesTypedValuesInvariantly()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // A comma-decimal culture must not change how code-set floats are read.
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var c = new ForgeConfig().With("lr0", 0.0125).With("epochs", 7).With("cos_lr", true).With("name", "x");
            Assert.Equal(0.0125, c.Lr0);
            Assert.Equal(7, c.Epochs);
            Assert.True(c.CosLr);
            Assert.Equal("x", c.Name);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void IndexerAndWithRejectUnknownKeys()
    {
        var c = new ForgeConfig();
        Assert.Contains("did you mean 'epochs'", Assert.Throws<ConfigException>(() => c["epoch"]).Message);
        Assert.Contains("did you mean 'batch'", Assert.Throws<ConfigException>(() => c.With("batchs", 3)).Message);
    }

    [Fact]
    public void CloneIsIndependent()
    {
        var a = new ForgeConfig();
        a.ApplyArguments(["epochs=5"]);
        var b = a.Clone();
        b.ApplyArguments(["epochs=9"]);
        Assert.Equal(5, a.Epochs);
        Assert.Equal(9, b.Epochs);
    }
}
