using Forge.Torch;
using Forge.Training;

namespace Forge.Training.Tests;

/// <summary>
/// TensorLibrary.DisableNnpackWhereItCannotStart: NNPACK off exactly on CPUs that describe no caches (where it cannot start
/// and libtorch printed a warning per small convolution; the end-to-end NativeWarningTests check the output).
/// </summary>
public class NnpackSettingTests
{
    [Fact]
    public void NnpackIsTurnedOffOnlyWhereTheCpuDescribesNoCaches()
    {
        bool turnedOff = TensorLibrary.DisableNnpackWhereItCannotStart();
        Assert.Equal(!ChannelsLastCheck.CpuDescribesCaches, turnedOff);
        if (turnedOff) Assert.False(TensorLibrary.NnpackEnabled);
    }
}
