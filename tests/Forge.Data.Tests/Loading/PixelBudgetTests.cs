using Forge.Data.Inference;

namespace Forge.Data.Tests.Loading;

/// <summary>PixelBudget.ImagesPerRun: images of a batch per forward under a pixel budget (the validator's and the ONNX detector's split).</summary>
public sealed class PixelBudgetTests
{
    [Fact]
    public void The_budget_gives_whole_images_between_one_and_the_batch()
    {
        Assert.Equal(8, PixelBudget.ImagesPerRun(32L * 320 * 320, 16, 640, 640));   // 32 x 320^2 pixels = 8 images at 640
        Assert.Equal(32, PixelBudget.ImagesPerRun(32L * 320 * 320, 32, 320, 320));  // exactly the budget: one run
        Assert.Equal(18, PixelBudget.ImagesPerRun(32L * 320 * 320, 32, 416, 416));  // rounded down
        Assert.Equal(1, PixelBudget.ImagesPerRun(100, 5, 64, 64));                 // below one image: still one
        Assert.Equal(5, PixelBudget.ImagesPerRun(0, 5, 64, 64));                   // no budget: the whole batch
        Assert.Equal(5, PixelBudget.ImagesPerRun(-1, 5, 64, 64));
        Assert.Equal(1, PixelBudget.ImagesPerRun(640 * 640, 0, 64, 64));           // an empty batch needs no split
    }
}
