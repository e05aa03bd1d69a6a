using TorchSharp;
using static TorchSharp.torch;

namespace Forge.Models.Loss;

/// <summary>
/// Ground truth of a batch padded to the same number of boxes per image, as the assigner wants it.
/// Built from the loader's rows (batchIndex, class, cx, cy, w, h normalised).
/// </summary>
public sealed class TargetBatch : IDisposable
{
    /// <summary>(batch, maxBoxes, 1) class ids as float.</summary>
    public Tensor Labels { get; }
    /// <summary>(batch, maxBoxes, 4) corner boxes in input pixels.</summary>
    public Tensor Boxes { get; }
    /// <summary>(batch, maxBoxes, 1) 1 for a real box, 0 for padding.</summary>
    public Tensor Mask { get; }
    public int MaxBoxes { get; }
    public int Count { get; }

    public TargetBatch(ReadOnlySpan<float> rows, int rowCount, int batchSize, int imageWidth, int imageHeight, Device device)
    {
        var perImage = new int[batchSize];
        for (int r = 0; r < rowCount; r++)
        {
            int b = (int)rows[r * 6];
            if ((uint)b >= (uint)batchSize) throw new ArgumentException($"target row {r} has batch index {b}, batch size is {batchSize}");
            perImage[b]++;
        }
        MaxBoxes = perImage.Length == 0 ? 0 : perImage.Max();
        Count = rowCount;
        int m = MaxBoxes;
        var labels = new float[batchSize * m];
        var boxes = new float[batchSize * m * 4];
        var mask = new float[batchSize * m];
        Array.Clear(perImage);
        for (int r = 0; r < rowCount; r++)
        {
            var row = rows.Slice(r * 6, 6);
            int b = (int)row[0];
            int slot = b * m + perImage[b]++;
            labels[slot] = row[1];
            float cx = row[2] * imageWidth, cy = row[3] * imageHeight, w = row[4] * imageWidth, h = row[5] * imageHeight;
            boxes[slot * 4] = cx - w / 2; boxes[slot * 4 + 1] = cy - h / 2;
            boxes[slot * 4 + 2] = cx + w / 2; boxes[slot * 4 + 3] = cy + h / 2;
            mask[slot] = 1;
        }
        Labels = tensor(labels, [batchSize, m, 1], device: device);
        Boxes = tensor(boxes, [batchSize, m, 4], device: device);
        Mask = tensor(mask, [batchSize, m, 1], device: device);
    }

    public void Dispose()
    {
        Labels.Dispose();
        Boxes.Dispose();
        Mask.Dispose();
    }
}
