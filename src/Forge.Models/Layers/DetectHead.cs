using Forge.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Models.Layers;

/// <summary>
/// Decoupled anchor-free head: per pyramid level a box branch (4 x regMax distribution logits) and a class branch
/// (numClasses logits). Training uses the raw concatenation; inference decodes it (see <see cref="YoloDetector.Decode"/>).
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

    public DetectHead(int numClasses, IReadOnlyList<long> inChannels, IReadOnlyList<int> strides, int regMax = 16) : base("Detect")
    {
        NumClasses = numClasses;
        RegMax = regMax;
        Strides = strides;
        long c2 = Math.Max(Math.Max(16, inChannels[0] / 4), 4 * regMax);
        long c3 = Math.Max(inChannels[0], Math.Min(numClasses, 100));
        cv2 = nn.ModuleList<Sequential>();
        cv3 = nn.ModuleList<Sequential>();
        foreach (var ch in inChannels)
        {
            cv2.Add(nn.Sequential(new ConvBnAct(ch, c2, 3), new ConvBnAct(c2, c2, 3), nn.Conv2d(c2, 4 * regMax, 1)));
            cv3.Add(nn.Sequential(new ConvBnAct(ch, c3, 3), new ConvBnAct(c3, c3, 3), nn.Conv2d(c3, numClasses, 1)));
        }
        dfl = new DistributionFocalIntegral(regMax);
        RegisterComponents();
        InitializeBiases(640);
    }

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
            var y = cat([cv2[i].forward(levels[i]), cv3[i].forward(levels[i])], 1);
            flat[i] = y.flatten(2);
        }
        return cat(flat, 2).MoveToOuterDisposeScope();
    }
}
