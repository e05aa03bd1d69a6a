using TorchSharp;
using Forge.Core.Config;

namespace Forge.Cli.Commands;

public static class Help
{
    public static void Print(TextWriter w)
    {
        w.WriteLine("""
            Forge: train, validate and run YOLOv8 / YOLO11 detectors in .NET.

            Usage: forge MODE key=value ...

              forge demo                                  train on the embedded 'shapes' dataset, validate, predict
              forge train data=data.yaml model=yolov8n epochs=100 imgsz=640 batch=16
              forge train data=data.yaml model=yolo11n.pt epochs=10     fine-tune Ultralytics weights (read without running code)
              forge train data=data.yaml model=my-model.yaml            your own model yaml (Ultralytics format)
              forge val   model=runs/detect/train/weights/best.safetensors [data=data.yaml]
              forge predict model=best.safetensors source=images/ [conf=0.25]
              forge export model=best.safetensors format=onnx [imgsz=640 dynamic=true opset=17]   ONNX, Ultralytics' layout
              forge val   model=best.onnx data=data.yaml     validate or predict through ONNX Runtime (predict: source=...)
              forge export model=best.safetensors format=safetensors    plain weights for other tools (also converts a .pt)
              forge settings                              print every setting with its default
              forge train cfg=my.yaml epochs=10           settings from a yaml file, then the command line

            Settings:
            """);
        foreach (var k in ConfigSchema.Keys)
            w.WriteLine($"  {k.Name,-16} {ForgeConfig.FormatValue(k.Default),-14} {k.Help}");
    }
}
