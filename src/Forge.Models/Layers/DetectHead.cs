using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Decoupled anchor-free head (Ultralytics' <c>Detect</c>): per pyramid level a box branch <c>cv2</c> (two 3x3 Conv, then a
/// 1x1 Conv2d to 4 x regMax distribution logits) and a class branch <c>cv3</c> (numClasses logits). YOLOv8's class branch
/// (<see cref="Legacy"/>) is two 3x3 Conv; YOLO11's is depthwise: [DWConv 3x3, Conv 1x1] twice. Training uses the raw
/// concatenation; inference decodes it (see <see cref="YoloDetector.Decode"/>).
/// </summary>
public sealed class DetectHead : nn.Module<Tensor[], Tensor>
{
    readonly ModuleList<Sequential> cv2;   // box branches
    readonly ModuleList<Sequential> cv3;   // class branches
    readonly DistributionFocalIntegral dfl;

    public int NumClasses { get; }
    public int RegMax { get; }
    public int Outputs => NumClasses + 4 * RegMax;
    public IReadOnlyList<int> Strides { get; }
    public DistributionFocalIntegral Dfl => dfl;
    /// <summary>True for YOLOv8's class branch (3x3 Conv pairs), false for YOLO11's depthwise one.</summary>
    public bool Legacy { get; }
    /// <summary>Input channels per level (P3, P4, P5).</summary>
    public IReadOnlyList<long> InChannels { get; }
    /// <summary>Box branches, registered as <c>cv2</c>: one Sequential per level.</summary>
    public IReadOnlyList<Sequential> BoxBranches => new System.Collections.ObjectModel.ReadOnlyCollection<Sequential>(cv2);
    /// <summary>Class branches, registered as <c>cv3</c>: one Sequential per level.</summary>
    public IReadOnlyList<Sequential> ClassBranches => new System.Collections.ObjectModel.ReadOnlyCollection<Sequential>(cv3);

    /// <param name="legacy">YOLOv8's class branch (Ultralytics sets Detect.legacy for yamls without C3k2).</param>
    public DetectHead(int numClasses, IReadOnlyList<long> inChannels, IReadOnlyList<int> strides, int regMax = 16, bool legacy = true)
        : base("Detect")
    {
        NumClasses = numClasses;
        RegMax = regMax;
        Strides = strides;
        Legacy = legacy;
        InChannels = inChannels;
        long c2 = Math.Max(Math.Max(16, inChannels[0] / 4), 4 * regMax);
        long c3 = Math.Max(inChannels[0], Math.Min(numClasses, 100));
        cv2 = nn.ModuleList<Sequential>();
        cv3 = nn.ModuleList<Sequential>();
        foreach (var ch in inChannels)
        {
            cv2.Add(nn.Sequential(new ConvBnAct(ch, c2, 3), new ConvBnAct(c2, c2, 3), nn.Conv2d(c2, 4 * regMax, 1)));
            cv3.Add(legacy
                ? nn.Sequential(new ConvBnAct(ch, c3, 3), new ConvBnAct(c3, c3, 3), nn.Conv2d(c3, numClasses, 1))
                : nn.Sequential(nn.Sequential(DepthwiseConv(ch, ch, 3), new ConvBnAct(ch, c3, 1)),
                                nn.Sequential(DepthwiseConv(c3, c3, 3), new ConvBnAct(c3, c3, 1)),
                                nn.Conv2d(c3, numClasses, 1)));
        }
        dfl = new DistributionFocalIntegral(regMax);
        RegisterComponents();
        InitializeBiases(640);
    }

    /// <summary>Ultralytics' DWConv: a Conv whose groups are gcd(in, out).</summary>
    public static ConvBnAct DepthwiseConv(long inChannels, long outChannels, long kernel, long stride = 1) =>
        new(inChannels, outChannels, kernel, stride, groups: (long)System.Numerics.BigInteger.GreatestCommonDivisor(inChannels, outChannels));

    /// <summary>
    /// Prior on the output biases so training starts stable: box logits 1.0, class logits at the probability of
    /// ~5 objects per 640-px image spread over the level's cells (Ultralytics' bias_init).
    /// </summary>
    void InitializeBiases(int referenceImageSize)
    {
        using var _ = no_grad();
        for (int i = 0; i < Strides.Count; i++)
        {
            var boxOut = (Conv2d)cv2[i][2];
            var clsOut = (Conv2d)cv3[i][2];
            boxOut.bias!.FillInPlace(1.0);
            double cells = Math.Pow(referenceImageSize / (double)Strides[i], 2);
            clsOut.bias!.FillInPlace(Math.Log(5.0 / NumClasses / cells));
        }
    }

    /// <returns>(batch, 4*regMax + numClasses, anchors): every level flattened and concatenated, raw logits.</returns>
    public override Tensor forward(Tensor[] levels)
    {
        using var scope = NewDisposeScope();
        var flat = new Tensor[levels.Length];
        for (int i = 0; i < levels.Length; i++)
        {
            var y = cat([Branch(cv2[i], levels[i]), Branch(cv3[i], levels[i])], 1);
            flat[i] = y.flatten(2);
        }
        return cat(flat, 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One branch on one level. In a bfloat16 autocast region (amp=bf16) its last 1x1 convolution, the one that writes the
    /// box-distribution and class logits, runs in float32: bfloat16's 8 significant bits would quantise a logit of ~10 in
    /// steps of 0.06, coarser than the box regression resolves (30-epoch runs: bench/README.md, amp=bf16).
    /// The last convolution runs NCHW where the channels_last check marked it (<see cref="NchwConvolutions"/>).
    /// </summary>
    static Tensor Branch(Sequential branch, Tensor level)
    {
        var x = level;
        var layers = branch.children().ToArray();
        for (int k = 0; k < layers.Length - 1; k++) x = ((nn.Module<Tensor, Tensor>)layers[k]).forward(x);
        var logits = (Conv2d)layers[^1];
        if (!Autocast.IsEnabled) return logits.forward(NchwConvolutions.Input(logits, x));
        using (Autocast.Suspend())
            return logits.forward(NchwConvolutions.Input(logits, x.to(ScalarType.Float32)));
    }
}
