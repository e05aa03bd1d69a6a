using OpenCvSharp;

namespace Forge.Synthetic;

/// <summary>
/// A generated 8-bit BGR image and its objects. <see cref="Background"/> is the image just before the first object was
/// painted (gradient and clutter under the objects, before pixel noise), which lets tests check that labelled boxes hold
/// the shapes. Dispose it to release both images.
/// </summary>
public sealed record ShapesScene(Mat Image, Mat Background, IReadOnlyList<ShapeInstance> Objects) : IDisposable
{
    public void Dispose()
    {
        Image.Dispose();
        Background.Dispose();
    }
}
