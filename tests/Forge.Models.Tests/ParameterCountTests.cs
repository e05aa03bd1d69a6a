using Forge.Models;
using Forge.Models.Graph;

namespace Forge.Models.Tests;

public class ParameterCountTests
{
    // Parameter counts at 80 classes printed by Ultralytics 8.3.57's model summaries (DetectionModel('yolov8n.yaml') ...,
    // sum of p.numel() over parameters()). The graph reproduces them exactly, so any drift in the architecture shows up here.
    [Theory]
    [InlineData("yolov8n", 3_157_200)]
    [InlineData("yolov8s", 11_166_560)]
    [InlineData("yolov8m", 25_902_640)]
    [InlineData("yolov8l", 43_691_520)]
    [InlineData("yolov8x", 68_229_648)]
    [InlineData("yolo11n", 2_624_080)]
    [InlineData("yolo11s", 9_458_752)]
    [InlineData("yolo11m", 20_114_688)]
    [InlineData("yolo11l", 25_372_160)]
    [InlineData("yolo11x", 56_966_176)]
    public void ParameterCountEqualsUltralytics(string name, long published)
    {
        Assert.True(ModelScale.TryParseName(name, out var scale));
        using var model = new YoloDetector(scale, numClasses: 80);
        Assert.Equal(published, model.ParameterCount());
        Assert.Equal(name, model.Scale.Name);
    }

    [Fact]
    public void LetterScalesAreYoloV8()
    {
        Assert.Equal(ModelScale.N, ModelScale.FromLetter('n'));
        Assert.Equal("yolov8s", ModelScale.S.Name);
        Assert.Equal(BuiltinModels.YoloV8, ModelScale.X.Yaml);
    }
}
