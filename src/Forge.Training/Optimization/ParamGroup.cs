using static TorchSharp.torch;

namespace Forge.Training.Optimization;

/// <summary>A set of parameters sharing hyper-parameters. Learning rate and momentum change every iteration during warm-up.</summary>
public sealed class ParamGroup(string name, IReadOnlyList<(string Name, Tensor Param)> parameters, double weightDecay)
{
    /// <summary>Group names of <see cref="SplitForDetection"/>, in Ultralytics' order (results.csv's lr/pg0, pg1, pg2).</summary>
    public const string Bias = "bias", Weight = "weight", Norm = "norm";

    public string Name { get; } = name;
    public IReadOnlyList<(string Name, Tensor Param)> Parameters { get; } = parameters;
    public double WeightDecay { get; set; } = weightDecay;
    public double Lr { get; set; }
    /// <summary>The learning rate the schedule scales (lr0); warm-up ramps towards InitialLr * schedule factor.</summary>
    public double InitialLr { get; set; }
    /// <summary>SGD momentum, or Adam's beta1.</summary>
    public double Momentum { get; set; }

    /// <summary>
    /// Ultralytics' three groups: biases (no decay), conv/linear weights (decay), BatchNorm weights (no decay).
    /// Frozen parameters (the DFL integral) are left out.
    /// </summary>
    public static List<ParamGroup> SplitForDetection(IEnumerable<(string Name, Tensor Param)> named, double weightDecay)
    {
        var bias = new List<(string, Tensor)>();
        var weights = new List<(string, Tensor)>();
        var norm = new List<(string, Tensor)>();
        foreach (var (name, p) in named)
        {
            if (!p.requires_grad) continue;
            if (name.EndsWith(".bias", StringComparison.Ordinal)) bias.Add((name, p));
            else if (name.Contains(".bn.", StringComparison.Ordinal)) norm.Add((name, p));
            else weights.Add((name, p));
        }
        return [new ParamGroup(Bias, bias, 0), new ParamGroup(Weight, weights, weightDecay), new ParamGroup(Norm, norm, 0)];
    }
}
