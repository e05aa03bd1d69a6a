namespace Forge.Data.Loading;

/// <summary>Building a sample failed; carries the image path and dataset index so the user can find the file.</summary>
public sealed class DataLoadException : Exception
{
    public string ImagePath { get; }
    public int SampleIndex { get; }

    public DataLoadException(string imagePath, int sampleIndex, Exception inner)
        : base($"{imagePath}: building sample {sampleIndex} failed: {inner.Message}", inner)
    {
        ImagePath = imagePath;
        SampleIndex = sampleIndex;
    }
}
