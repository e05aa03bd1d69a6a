namespace Forge.Synthetic;

/// <summary>The classes of the synthetic shapes dataset, in class-id order. Silhouettes differ in corners and concavity, not only in outline detail, so they stay apart at small sizes.</summary>
public enum ShapeKind
{
    Circle,
    Square,
    Triangle,
    Star,
    Cross,
    Crescent,
}
