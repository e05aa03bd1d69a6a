using Forge.Models;

namespace Forge.Models.Tests;

public class ParameterCountTests
{
    // Published YOLOv8 parameter counts at 80 classes (Ultralytics model summaries). The issue asks for 1%; the layout
    // reproduces them exactly, so any drift in the architecture shows up here.
    [Theory]
    [InlineData('n', 3_157_200)]
    [InlineData('s', 11_166_560)]
    [InlineData('m', 25_902_640)]
    [InlineData('l', 43_691_520)]
    [InlineData('x', 68_229_648)]
    public void ParameterCountEqualsPublishedFigure(char scale, long published)
    {
        using var model = new YoloDetector(ModelScale.FromLetter(scale), numClasses: 80);
        long count = model.ParameterCount();
        Assert.Equal(published, count);
    }
}
