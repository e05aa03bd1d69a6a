using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Torch;

/// <summary>
/// The channels_last (NHWC) memory format without a memory_format API: TorchSharp 0.107 has the <c>memory_format</c> enum but
/// no <c>contiguous(memory_format)</c> or <c>Module.to(memory_format)</c>. libtorch decides the format from strides, so a
/// tensor permuted to NHWC, made contiguous and permuted back is channels_last to every kernel.
/// </summary>
public static class ChannelsLast
{
    /// <summary>A channels_last copy of a 4-D tensor.</summary>
    public static Tensor Of(Tensor x)
    {
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>True when a 4-D tensor's strides are NHWC (channels fastest).</summary>
    public static bool Is(Tensor x)
    {
        if (x.dim() != 4) return false;
        var s = x.stride();
        var shape = x.shape;
        return s[1] == 1 && s[3] == shape[1] && s[2] == shape[1] * shape[3];
    }

    /// <summary>Re-lays every 4-D parameter (convolution weights) of <paramref name="module"/> as channels_last, in place, except
    /// the weights of convolutions that run NCHW (<see cref="NchwConvolutions"/>).</summary>
    /// <returns>How many tensors were converted.</returns>
    public static int Convert(nn.Module module)
    {
        int converted = 0;
        using var _ = no_grad();
        foreach (var m in module.modules().Prepend(module))
        {
            if (m is TorchSharp.Modules.Conv2d conv && NchwConvolutions.Contains(conv)) continue;
            foreach (var (_, p) in m.named_parameters(recurse: false))
            {
                if (p.dim() != 4 || Is(p)) continue;
                using var cl = Of(p);
                p.set_(cl);
                converted++;
            }
        }
        return converted;
    }
}
