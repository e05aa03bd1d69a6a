using Forge.Torch;
using static TorchSharp.torch;

namespace Forge.Models.Tests;

/// <summary>Tests that read libtorch's global random generator, which every other test of the process may draw from:
/// they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomStateCollection
{
    public const string Name = "libtorch's global random generator";
}

/// <summary><see cref="ChannelsLastCheck"/> draws its trial tensors from its own generator: a training run that checks its
/// model first draws the same initial weights and augmentation as one that does not.</summary>
[Collection(GlobalRandomStateCollection.Name)]
public sealed class ChannelsLastCheckRandomStateTests
{
    [Fact]
    public void The_check_leaves_the_global_random_state_alone()
    {
        manual_seed(5);
        using var first = rand(4);
        manual_seed(5);
        ChannelsLastCheck.Agrees(new ChannelsLastCheck.ConvShape(24, 72, 1, 1, 1, 0, 1, 1));
        using var second = rand(4);
        Assert.Equal(first.data<float>().ToArray(), second.data<float>().ToArray());
    }
}
