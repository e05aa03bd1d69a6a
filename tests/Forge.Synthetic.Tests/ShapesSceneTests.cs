using Forge.Synthetic;
using OpenCvSharp;

namespace Forge.Synthetic.Tests;

public class ShapesSceneTests
{
    static byte[] Bytes(Mat m)
    {
        int height = m.Height, row = m.Width * m.ElemSize();
        var bytes = new byte[height * row];
        for (int y = 0; y < height; y++) System.Runtime.InteropServices.Marshal.Copy(m.Ptr(y), bytes, y * row, row);
        return bytes;
    }

    static readonly ShapesDatasetOptions Small = new() { ImageSize = 96 };

    [Fact]
    public void Same_seed_same_scene_different_seed_different_scene()
    {
        using var a = ShapesSceneGenerator.Generate(11, Small);
        using var b = ShapesSceneGenerator.Generate(11, Small);
        using var c = ShapesSceneGenerator.Generate(12, Small);
        Assert.Equal(Bytes(a.Image), Bytes(b.Image));
        Assert.Equal(a.Objects, b.Objects);
        Assert.NotEqual(Bytes(a.Image), Bytes(c.Image));
    }

    [Fact]
    public void Objects_lie_inside_the_image_and_stay_visible_enough()
    {
        int objects = 0;
        for (ulong seed = 0; seed < 40; seed++)
        {
            using var scene = ShapesSceneGenerator.Generate(seed, Small with { VaryAspect = seed % 2 == 0 });
            Assert.True(scene.Objects.Count <= Small.MaxObjects);
            foreach (var o in scene.Objects)
            {
                objects++;
                Assert.True(o.Box.X1 >= 0 && o.Box.Y1 >= 0 && o.Box.X2 <= scene.Image.Width && o.Box.Y2 <= scene.Image.Height, $"seed {seed}: {o.Box}");
                Assert.True(o.Box.Width >= 3 && o.Box.Height >= 3, $"seed {seed}: {o.Box}");
                Assert.True(o.VisibleFraction >= Small.MinVisibleFraction, $"seed {seed}: {o.Kind} only {o.VisibleFraction:P0} visible");
                Assert.InRange(o.ClassId, 0, ShapesDataset.ClassNames.Count - 1);
            }
        }
        Assert.True(objects > 60, $"40 scenes should hold many objects, got {objects}");
    }

    [Fact]
    public void Every_class_appears_and_object_sizes_follow_the_options()
    {
        var seen = new int[6];
        float min = float.MaxValue, max = 0;
        for (ulong seed = 0; seed < 60; seed++)
        {
            using var scene = ShapesSceneGenerator.Generate(seed, Small);
            foreach (var o in scene.Objects)
            {
                seen[o.ClassId]++;
                float extent = Math.Max(o.Box.Width, o.Box.Height) / 96f;
                min = Math.Min(min, extent); max = Math.Max(max, extent);
            }
        }
        Assert.All(seen, n => Assert.True(n > 5));
        Assert.True(min >= 0.07f && max <= 0.65f, $"extent range {min:F2}..{max:F2}");
    }

    [Fact]
    public void Boxes_are_tight_around_the_painted_shape()
    {
        // Without clutter and noise, and one object per image, the background is known exactly.
        var options = new ShapesDatasetOptions { ImageSize = 80, MinObjects = 1, MaxObjects = 1, EmptyImageFraction = 0, Clutter = false };
        int checkedObjects = 0;
        for (ulong seed = 0; seed < 30; seed++)
        {
            using var scene = ShapesSceneGenerator.Generate(seed, options);
            if (scene.Objects.Count == 0) continue;
            var o = scene.Objects[0];
            checkedObjects++;
            int x1 = (int)o.Box.X1, y1 = (int)o.Box.Y1, x2 = (int)o.Box.X2 - 1, y2 = (int)o.Box.Y2 - 1;
            Assert.Equal(o.Box.X1, x1); // whole pixels
            // Each side of the box touches the shape: some pixel on it differs clearly from the background.
            Assert.True(Changed(scene, x1, y1, x1, y2), $"seed {seed} {o.Kind}: left edge of {o.Box} is empty");
            Assert.True(Changed(scene, x2, y1, x2, y2), $"seed {seed} {o.Kind}: right edge of {o.Box} is empty");
            Assert.True(Changed(scene, x1, y1, x2, y1), $"seed {seed} {o.Kind}: top edge of {o.Box} is empty");
            Assert.True(Changed(scene, x1, y2, x2, y2), $"seed {seed} {o.Kind}: bottom edge of {o.Box} is empty");
            // Beyond a thin antialiasing fringe, nothing outside the box was painted.
            const int fringe = 3;
            int height = scene.Image.Height, width = scene.Image.Width;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    bool far = x < x1 - fringe || x > x2 + fringe || y < y1 - fringe || y > y2 + fringe;
                    if (far && Diff(scene, x, y) != 0) Assert.Fail($"seed {seed} {o.Kind}: pixel ({x},{y}) outside {o.Box} was painted");
                }
        }
        Assert.True(checkedObjects >= 25);
    }

    static bool Changed(ShapesScene scene, int xa, int ya, int xb, int yb)
    {
        for (int y = ya; y <= yb; y++)
            for (int x = xa; x <= xb; x++)
                if (Diff(scene, x, y) >= 25) return true;
        return false;
    }

    static float Diff(ShapesScene scene, int x, int y)
    {
        var a = scene.Image.At<Vec3b>(y, x);
        var b = scene.Background.At<Vec3b>(y, x);
        int d0 = a.Item0 - b.Item0, d1 = a.Item1 - b.Item1, d2 = a.Item2 - b.Item2;
        return MathF.Sqrt(d0 * d0 + d1 * d1 + d2 * d2);
    }

    [Fact]
    public void Options_can_produce_empty_images()
    {
        using var scene = ShapesSceneGenerator.Generate(5, Small with { EmptyImageFraction = 1 });
        Assert.Empty(scene.Objects);
    }

    [Fact]
    public void Class_names_match_the_shape_kinds()
    {
        var kinds = Enum.GetNames<ShapeKind>().Select(n => n.ToLowerInvariant()).ToArray();
        Assert.Equal(kinds, ShapesDataset.ClassNames);
    }
}
