using Forge.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Graph;

/// <summary>What one yaml row needs to build its layer: resolved arguments, its inputs, the scale and the class count.</summary>
/// <param name="InChannels">Channels of each input (one entry for single-input modules).</param>
/// <param name="InStrides">Downsampling of each input relative to the images.</param>
/// <param name="Repeats">Repeats after the depth gain.</param>
/// <param name="Legacy">No C3k2 so far: a Detect head gets YOLOv8's class branch.</param>
public sealed record LayerContext(ModuleArgs Args, IReadOnlyList<long> InChannels, IReadOnlyList<int> InStrides, int Repeats,
                                  ModelScale Scale, int Nc, bool Legacy, int RegMax);

/// <summary>A resolved layer: how to build one module instance, its output channels and stride, and its arguments as shown.</summary>
/// <param name="AbsorbsRepeats">The module takes the repeat count itself (C2f, C3k2, C3, C2PSA); otherwise repeats make a Sequential.</param>
/// <param name="StrideFactor">Output stride / input stride of one instance (2 for a stride-2 Conv, 0.5 for a x2 upsample).</param>
public sealed record LayerRecipe(Func<nn.Module> Create, long OutChannels, double StrideFactor, IReadOnlyList<object?> ShownArgs,
                                 bool AbsorbsRepeats);

/// <summary>
/// The modules a model yaml may name, with parse_model's argument rules (ultralytics/nn/tasks.py, 8.3.57): channel
/// arguments scaled by width (unless equal to nc), repeat counts passed to CSP blocks, Concat summing its inputs'
/// channels, Detect receiving its inputs' channels.
/// </summary>
public static class ModuleCatalog
{
    /// <summary>Module names Forge builds, as a yaml writes them.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["Conv", "DWConv", "Bottleneck", "C2f", "C3", "C3k2", "SPPF", "C2PSA", "nn.Upsample", "Concat", "Detect"];

    public static bool IsMultiInput(string module) => module is "Concat" or "Detect";

    /// <summary>The recipe for <paramref name="module"/>, or null when Forge does not build it.</summary>
    /// <exception cref="InvalidDataException">Arguments the module does not accept.</exception>
    public static LayerRecipe? Resolve(string module, LayerContext c) => module switch
    {
        "Conv" => Conv(c),
        "DWConv" => DwConv(c),
        "Bottleneck" => Bottleneck(c),
        "C2f" => C2f(c),
        "C3" => C3(c),
        "C3k2" => C3k2(c),
        "SPPF" => Sppf(c),
        "C2PSA" => C2Psa(c),
        "nn.Upsample" => Upsample(c),
        "Concat" => Concat(c),
        "Detect" => Detect(c),
        _ => null,
    };

    // c2 of the first-argument family: capped, width-scaled, rounded to 8, unless it equals nc (a Classify output).
    static long OutOf(LayerContext c)
    {
        int c2 = c.Args.Int(0, 0, "c2");
        if (c2 < 1) throw c.Args.Error($"output channels must be positive, got {c2}");
        return c2 != c.Nc ? c.Scale.Channels(c2) : c2;
    }

    static object?[] Shown(LayerContext c, long c2, params object?[] inserted) =>
        [c.InChannels[0], c2, .. inserted, .. c.Args.Values.Skip(1)];

    static LayerRecipe Conv(LayerContext c)
    {
        c.Args.Expect(1, 7, "[c2, k=1, s=1, p=None, g=1, d=1, act=True]");
        long c1 = c.InChannels[0], c2 = OutOf(c);
        int k = c.Args.Int(1, 1, "k"), s = c.Args.Int(2, 1, "s"), g = c.Args.Int(4, 1, "g"), d = c.Args.Int(5, 1, "d");
        int? p = c.Args.OptionalInt(3, "p");
        bool act = c.Args.Bool(6, true, "act");
        return new(() => new ConvBnAct(c1, c2, k, s, g, act, p, d), c2, s, Shown(c, c2), false);
    }

    static LayerRecipe DwConv(LayerContext c)
    {
        c.Args.Expect(1, 5, "[c2, k=1, s=1, d=1, act=True]");
        long c1 = c.InChannels[0], c2 = OutOf(c);
        int k = c.Args.Int(1, 1, "k"), s = c.Args.Int(2, 1, "s"), d = c.Args.Int(3, 1, "d");
        bool act = c.Args.Bool(4, true, "act");
        long g = (long)System.Numerics.BigInteger.GreatestCommonDivisor(c1, c2);
        return new(() => new ConvBnAct(c1, c2, k, s, g, act, null, d), c2, s, Shown(c, c2), false);
    }

    static LayerRecipe Bottleneck(LayerContext c)
    {
        c.Args.Expect(1, 5, "[c2, shortcut=True, g=1, k=(3, 3), e=0.5]");
        long c1 = c.InChannels[0], c2 = OutOf(c);
        bool shortcut = c.Args.Bool(1, true, "shortcut");
        int g = c.Args.Int(2, 1, "g");
        var (k1, k2) = c.Args.Pair(3, (3, 3), "k");
        double e = c.Args.Double(4, 0.5, "e");
        return new(() => new Layers.Bottleneck(c1, c2, shortcut, g, k1, k2, e), c2, 1, Shown(c, c2), false);
    }

    static LayerRecipe C2f(LayerContext c) =>
        CspBlock(c, "[c2, shortcut=False, g=1, e=0.5]", false, (c1, c2, n, sc, g, e) => new Layers.C2f(c1, c2, n, sc, g, e));

    static LayerRecipe C3(LayerContext c) =>
        CspBlock(c, "[c2, shortcut=True, g=1, e=0.5]", true, (c1, c2, n, sc, g, e) => new Layers.C3(c1, c2, n, sc, g, e));

    // C2f and C3: (c1, c2, n, shortcut, g, e), differing in the default of shortcut.
    static LayerRecipe CspBlock(LayerContext c, string signature, bool shortcutDefault,
                                Func<long, long, int, bool, int, double, nn.Module> create)
    {
        c.Args.Expect(1, 4, signature);
        long c1 = c.InChannels[0], c2 = OutOf(c);
        bool shortcut = c.Args.Bool(1, shortcutDefault, "shortcut");
        int g = c.Args.Int(2, 1, "g"), n = c.Repeats;
        double e = c.Args.Double(3, 0.5, "e");
        return new(() => create(c1, c2, n, shortcut, g, e), c2, 1, Shown(c, c2, n), true);
    }

    static LayerRecipe C3k2(LayerContext c)
    {
        c.Args.Expect(1, 5, "[c2, c3k=False, e=0.5, g=1, shortcut=True]");
        long c1 = c.InChannels[0], c2 = OutOf(c);
        // parse_model forces C3k blocks for scales m, l and x ("scale in 'mlx'", a substring test).
        bool forced = c.Scale.Key.Length > 0 && "mlx".Contains(c.Scale.Key, StringComparison.Ordinal);
        bool c3k = forced || c.Args.Bool(1, false, "c3k");
        double e = c.Args.Double(2, 0.5, "e");
        int g = c.Args.Int(3, 1, "g"), n = c.Repeats;
        bool shortcut = c.Args.Bool(4, true, "shortcut");
        object?[] shown = [c1, c2, n, c3k, .. c.Args.Values.Skip(2)];
        return new(() => new Layers.C3k2(c1, c2, n, c3k, e, g, shortcut), c2, 1, shown, true);
    }

    static LayerRecipe Sppf(LayerContext c)
    {
        c.Args.Expect(1, 2, "[c2, k=5]");
        long c1 = c.InChannels[0], c2 = OutOf(c);
        int k = c.Args.Int(1, 5, "k");
        return new(() => new Layers.Sppf(c1, c2, k), c2, 1, Shown(c, c2), false);
    }

    static LayerRecipe C2Psa(LayerContext c)
    {
        c.Args.Expect(1, 2, "[c2, e=0.5]");
        long c1 = c.InChannels[0], c2 = OutOf(c);
        if (c1 != c2) throw c.Args.Error($"C2PSA keeps the channel count, but its input has {c1} channels and its output {c2}");
        double e = c.Args.Double(1, 0.5, "e");
        if ((long)(c1 * e) / 64 < 1)
            throw c.Args.Error($"C2PSA over {c1} channels has {(long)(c1 * e)} hidden channels: attention needs at least 64 (one head)");
        int n = c.Repeats;
        return new(() => new Layers.C2Psa(c1, c2, n, e), c2, 1, Shown(c, c2, n), true);
    }

    static LayerRecipe Upsample(LayerContext c)
    {
        c.Args.Expect(0, 3, "[size=None, scale_factor, mode='nearest']");
        if (c.Args.Has(0) && c.Args.Values[0] is not null) throw c.Args.Error("nn.Upsample with a fixed size is not supported; use [None, scale_factor, mode]");
        double s = c.Args.Double(1, 0, "scale_factor");
        string mode = c.Args.String(2, "nearest", "mode");
        if (s <= 0) throw c.Args.Error("nn.Upsample needs a positive scale_factor, e.g. [None, 2, 'nearest']");
        if (mode is not ("nearest" or "bilinear" or "bicubic"))
            throw c.Args.Error($"nn.Upsample mode '{mode}' is not supported (use nearest, bilinear or bicubic)");
        return new(() => new Layers.Upsample(s, mode), c.InChannels[0], 1 / s, c.Args.Values.ToArray(), false);
    }

    static LayerRecipe Concat(LayerContext c)
    {
        c.Args.Expect(0, 1, "[dimension=1]");
        int d = c.Args.Int(0, 1, "dimension");
        if (d != 1) throw c.Args.Error($"Concat along dimension {d} is not supported (detectors concatenate channels, dimension 1)");
        if (c.InStrides.Distinct().Count() > 1)
            throw c.Args.Error($"Concat inputs have different strides ({string.Join(", ", c.InStrides)}): their sizes would not match");
        return new(() => new Layers.Concat(d), c.InChannels.Sum(), 1, c.Args.Values.ToArray(), false);
    }

    static LayerRecipe Detect(LayerContext c)
    {
        c.Args.Expect(1, 1, "[nc]");
        int nc = c.Args.Int(0, 0, "nc");
        if (nc < 1) throw c.Args.Error($"Detect needs at least one class, got nc={nc}");
        if (c.InStrides.Any(s => s < 1)) throw c.Args.Error("Detect inputs must be downsampled feature maps");
        var ch = c.InChannels.ToArray();
        var strides = c.InStrides.ToArray();
        bool legacy = c.Legacy;
        int regMax = c.RegMax;
        object?[] shown = [nc, ch];
        return new(() => new DetectHead(nc, ch, strides, regMax, legacy), 0, 0, shown, false);
    }
}
