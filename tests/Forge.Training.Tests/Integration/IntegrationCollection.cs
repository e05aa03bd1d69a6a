namespace Forge.Training.Tests.Integration;

/// <summary>
/// End-to-end runs train real models: they run one at a time, after the parallel unit tests, so that their timing and
/// the process-wide memory readings of the RSS test are not disturbed by other tests of the same process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    public const string Name = "Integration";
}
