using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Forge.Export.Emitters;

/// <summary>
/// A convolution's weights ready for ONNX, with a following BatchNorm folded in (inference only):
/// w' = w * g / sqrt(var + eps), b' = beta + (b - mean) * g / sqrt(var + eps) per output channel, computed in float64 and
/// rounded to float32 once (Ultralytics' <c>fuse_conv_and_bn</c>, utils/torch_utils.py, computes the same in float32).
/// </summary>
internal sealed record ConvWeights(float[] Weight, long[] WeightShape, float[] Bias)
{
    public static ConvWeights Of(Conv2d conv, string path)
    {
        var w = Doubles(conv.weight ?? throw new InvalidOperationException($"{path}: convolution without weight"));
        var bias = conv.bias is null ? new double[conv.out_channels] : Doubles(conv.bias);
        return new ConvWeights(ToFloat(w), conv.weight!.shape, ToFloat(bias));
    }

    /// <exception cref="NotSupportedException">The norm layer is not a BatchNorm with running statistics.</exception>
    public static ConvWeights Fused(Conv2d conv, nn.Module norm, string path)
    {
        if (norm is not BatchNorm bn || bn.running_mean is null || bn.running_var is null)
            throw new NotSupportedException($"{path}: Conv+BN fusion needs a BatchNorm with running statistics, found {norm.GetType().Name}");
        var w = Doubles(conv.weight!);
        long outCh = conv.out_channels, perChannel = w.Length / outCh;
        var convBias = conv.bias is null ? new double[outCh] : Doubles(conv.bias);
        var mean = Doubles(bn.running_mean);
        var variance = Doubles(bn.running_var);
        var gamma = bn.weight is null ? Enumerable.Repeat(1.0, (int)outCh).ToArray() : Doubles(bn.weight);
        var beta = bn.bias is null ? new double[outCh] : Doubles(bn.bias);
        var bias = new double[outCh];
        for (long o = 0; o < outCh; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + bn.eps);
            for (long i = o * perChannel; i < (o + 1) * perChannel; i++) w[i] *= scale;
            bias[o] = beta[o] + (convBias[o] - mean[o]) * scale;
        }
        return new ConvWeights(ToFloat(w), conv.weight!.shape, ToFloat(bias));
    }

    static double[] Doubles(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }

    static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
}
