using Forge.Data.Datasets;

namespace Forge.Data.Tests.Datasets;

public class LabelPathsTests
{
    [Theory]
    [InlineData("/d/images/train/a.jpg", "/d/labels/train/a.txt")]
    [InlineData("/x/images/y/images/z.png", "/x/images/y/labels/z.txt")]
    [InlineData("/d/pics/a.b.jpeg", "/d/pics/a.b.txt")]
    [InlineData("/d/myimages/a.jpg", "/d/myimages/a.txt")]
    [InlineData("/d/images/noext", "/d/labels/noext.txt")]
    public void ImagesFolderBecomesLabels(string image, string label) => Assert.Equal(label, LabelPaths.ForImage(image));
}
