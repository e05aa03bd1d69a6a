// Detects objects with an ONNX model exported by 'forge export format=onnx' (or by Ultralytics), with ONNX Runtime only:
//   dotnet run --project samples/Forge.Deploy.Sample -c Release -- best.onnx image.jpg [image2.jpg ...]
using Forge.Deploy;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Forge.Deploy.Sample MODEL.onnx IMAGE [IMAGE ...]");
    return 2;
}

using var detector = new OnnxDetector(args[0]);
Console.WriteLine($"{args[0]}: {detector.NumClasses} classes, {detector.InputWidth}x{detector.InputHeight} input");
foreach (var image in args[1..])
{
    var detections = detector.Detect(image);
    Console.WriteLine($"{image}: {detections.Count} objects");
    foreach (var d in detections)
        Console.WriteLine($"  {detector.Names[d.ClassId],-16} {d.Score:0.00}  x1 {d.Box.X1:0.0}  y1 {d.Box.Y1:0.0}  x2 {d.Box.X2:0.0}  y2 {d.Box.Y2:0.0}");
}
return 0;
