using Forge.Data.Loading;
using OpenCvSharp;

namespace Forge.Data.Tests.Loading;

public class InferenceInputTests
{
    static Mat Noise(int height, int width, int seed)
    {
        Forge.Data.Imaging.OpenCvRuntime.Ensure();
        var pixels = new byte[height * width * 3];
        new Random(seed).NextBytes(pixels);
        var image = new Mat(height, width, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, image.Data, pixels.Length);
        return image;
    }

    [Fact]
    public void An_array_at_least_the_inputs_length_is_refilled_at_its_start_and_a_shorter_one_is_left_alone()
    {
        using var first = Noise(100, 150, 1);
        using var second = Noise(100, 150, 2);
        using var tall = Noise(150, 100, 3);
        var a = InferenceInput.Prepare(first, "a", 96);   // 150x100 at 96: 96 x 64, no padding
        Assert.Equal((64, 96, 3 * 64 * 96, 3 * 64 * 96), (a.Height, a.Width, a.Length, a.Chw.Length));
        var fresh = InferenceInput.Prepare(second, "b", 96);

        var refilled = InferenceInput.Prepare(second, "b", 96, reuse: a.Chw);
        Assert.Same(a.Chw, refilled.Chw);
        Assert.Equal(fresh.Chw, refilled.Chw);   // the second image's values, none of the first's left
        Assert.Equal(fresh.Info, refilled.Info);

        // 96 x 96 needs more floats: a new array of exactly its length; the 64 x 96 input then fits at its start.
        var square = InferenceInput.Prepare(tall, "c", 96, 96, 32, auto: false, reuse: a.Chw);
        Assert.NotSame(a.Chw, square.Chw);
        Assert.Equal(square.Length, square.Chw.Length);
        Assert.Equal(InferenceInput.Prepare(tall, "c", 96, 96, 32, auto: false).Chw, square.Chw);
        var tail = square.Chw[fresh.Length..].ToArray();
        var inside = InferenceInput.Prepare(second, "b", 96, reuse: square.Chw);
        Assert.Same(square.Chw, inside.Chw);
        Assert.Equal((64, 96), (inside.Height, inside.Width));
        Assert.Equal(fresh.Chw, inside.Chw[..inside.Length]);
        Assert.Equal(tail, inside.Chw[inside.Length..]);   // past the image: untouched
    }
}
