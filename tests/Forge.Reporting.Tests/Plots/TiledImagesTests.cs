using Forge.Core.Geometry;
using Forge.Data.Imaging;
using Forge.Reporting.Plots;
using static Forge.Reporting.Tests.Plots.PlotTestImages;

namespace Forge.Reporting.Tests.Plots;

public class TiledImagesTests
{
    static Rgb Colour(int cls)
    {
        var bgr = ClassColors.Bgr(cls);
        return new Rgb((byte)bgr.Val2, (byte)bgr.Val1, (byte)bgr.Val0);
    }

    [Fact]
    public void Tiles_images_in_a_square_grid_with_labelled_boxes()
    {
        using var tmp = new TempFolder();
        var images = new List<RgbImage> { RgbImage.Filled(64, 48, 0), RgbImage.Filled(64, 64, 0), RgbImage.Filled(32, 64, 0) };
        var boxes = new List<IReadOnlyList<(BoxF, int, float?)>>
        {
            new List<(BoxF, int, float?)> { (new BoxF(10, 20, 40, 40), 0, null) },
            new List<(BoxF, int, float?)> { (new BoxF(5, 5, 30, 30), 1, 0.87f), (new BoxF(30, 30, 60, 60), 7, null) },
            new List<(BoxF, int, float?)>(),
        };
        TiledImages.Render(images, boxes, ["zero", "one"], tmp.File("batch.png"));
        var img = RgbImage.Read(tmp.File("batch.png"));
        Assert.Equal((128, 128), (img.Width, img.Height)); // 2 x 2 tiles of the largest side
        Assert.True(CountNear(img, Colour(0), 2) > 30);
        Assert.True(CountNear(img, Colour(1), 2) > 30);
        Assert.True(CountNear(img, Colour(7), 2) > 30, "class ids without a name still get boxes");
        Assert.Equal(Rgb.White, At(img, 100, 100)); // the unused fourth tile
    }

    [Fact]
    public void Large_batches_are_scaled_down_and_capped_at_sixteen()
    {
        var images = Enumerable.Range(0, 20).Select(_ => RgbImage.Filled(200, 200, 90)).ToList();
        var boxes = images.Select(_ => (IReadOnlyList<(BoxF, int, float?)>)[(new BoxF(50, 50, 150, 150), 2, 0.5f)]).ToList();
        var img = TiledImages.RenderImage(images, boxes, ["a", "b", "c"], maxSide: 400);
        Assert.Equal((400, 400), (img.Width, img.Height));
        Assert.True(CountNear(img, Colour(2), 2) > 16 * 40);
    }

    [Fact]
    public void Mismatched_lists_are_rejected_and_no_images_gives_a_placeholder()
    {
        Assert.Throws<ArgumentException>(() => TiledImages.RenderImage([RgbImage.Filled(8, 8, 0)], [], []));
        var empty = TiledImages.RenderImage([], [], []);
        Assert.True(CountNonWhite(empty) > 0);
    }
}
