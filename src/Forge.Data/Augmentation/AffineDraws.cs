using Forge.Core.Randomness;
using Forge.Data.Loading;

namespace Forge.Data.Augmentation;

/// <summary>
/// The random values of one RandomPerspective call, in Ultralytics' units: perspective terms, rotation in degrees, scale
/// factor, shear angles in degrees, and the output position of the image centre as fractions of the output size.
/// </summary>
public readonly record struct AffineDraws(double PerspectiveX, double PerspectiveY, double Degrees, double Scale,
    double ShearX, double ShearY, double TranslateX, double TranslateY)
{
    /// <summary>Draws in Ultralytics' order: perspective x, y, angle, scale, shear x, shear y, translation x, y.</summary>
    public static AffineDraws Draw(AugmentOptions o, DeterministicRandom rng) => new(
        rng.Uniform(-o.Perspective, o.Perspective), rng.Uniform(-o.Perspective, o.Perspective),
        rng.Uniform(-o.Degrees, o.Degrees), rng.Uniform(1 - o.Scale, 1 + o.Scale),
        rng.Uniform(-o.Shear, o.Shear), rng.Uniform(-o.Shear, o.Shear),
        rng.Uniform(0.5 - o.Translate, 0.5 + o.Translate), rng.Uniform(0.5 - o.Translate, 0.5 + o.Translate));
}
