namespace Forge.Export;

/// <summary>
/// Settings of an ONNX export, with Ultralytics' names: <c>imgsz</c> (height and width of the input, multiples of the model's
/// largest stride), <c>batch</c>, <c>opset</c> (default 17) and <c>dynamic</c> (batch, height and width left symbolic).
/// </summary>
public sealed record OnnxExportOptions
{
    /// <summary>Oldest and newest op-set the exporter writes; 23 is the newest of the vendored schema (ONNX 1.18, IR 11); ONNX Runtime 1.31 loads them all (tested).</summary>
    public const int MinOpset = 13, MaxOpset = 23;

    public int ImageHeight { get; init; } = 640;
    public int ImageWidth { get; init; } = 640;
    public int Batch { get; init; } = 1;
    public int Opset { get; init; } = 17;
    public bool Dynamic { get; init; }

    /// <exception cref="ArgumentException">A setting out of range; the message names it and the valid range.</exception>
    public void Validate()
    {
        if (Opset is < MinOpset or > MaxOpset)
            throw new ArgumentException($"opset={Opset}: ONNX export supports op-sets {MinOpset} to {MaxOpset}");
        if (Batch < 1) throw new ArgumentException($"batch={Batch}: the exported batch size must be at least 1");
        if (ImageHeight < 1 || ImageWidth < 1) throw new ArgumentException($"imgsz={ImageHeight}x{ImageWidth}: sizes must be positive");
    }

    /// <summary>
    /// The IR version that goes with an op-set (the ONNX release that introduced the op-set; onnx.helper's VERSION_TABLE),
    /// so that runtimes of that release can load the file.
    /// </summary>
    public static int IrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        <= 22 => 10,
        _ => 11,
    };
}
