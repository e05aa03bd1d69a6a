using System.Text.Json;
using Forge.Data.Imaging;
using OpenCvSharp;

namespace Forge.Cli.Tests;

/// <summary>
/// Every kind of predict source Ultralytics accepts: inputs that share a stem, a glob, a .txt list, and a video (annotated
/// video out with the same frame count and the source frame rate, per-frame boxes, vid_stride).
/// </summary>
[Collection(TrainedModelCollection.Name)]
public sealed class PredictSourceTests(TrainedModelFixture trained)
{
    Mat ValImage(int index) =>
        ImageFile.Read(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(trained.DataYaml)!, "images", "val")).Order(StringComparer.Ordinal).ElementAt(index));

    static JsonElement[] ReadPredictions(string runFolder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "predictions.json")));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    ForgeRun Predict(string source, string project, params string[] extra) =>
        ForgeRun.Of(["predict", $"model={trained.BestWeights}", $"source={source}", "conf=0.0", $"project={project}", "name=p", .. extra]);

    [Fact]
    public void Inputs_that_share_a_stem_get_their_own_outputs()
    {
        string folder = trained.NewFolder("same-stem");
        using (var a = ValImage(0)) ImageFile.Write(a, Path.Combine(folder, "x.jpg"));
        using (var b = ValImage(1)) ImageFile.Write(b, Path.Combine(folder, "x.png"));
        string project = trained.NewFolder("predict-stem");
        var run = Predict(folder, project, "save_txt=true");
        Assert.True(run.ExitCode == 0, run.ToString());
        string output = Path.Combine(project, "p");

        var entries = ReadPredictions(output);
        Assert.Equal([Path.Combine(folder, "x.jpg"), Path.Combine(folder, "x.png")], entries.Select(e => e.GetProperty("image").GetString()));
        var annotated = entries.Select(e => e.GetProperty("annotated").GetString()!).ToArray();
        Assert.Equal([Path.Combine(output, "x.jpg"), Path.Combine(output, "x_png.jpg")], annotated);
        Assert.All(annotated, f => Assert.True(File.Exists(f), f));
        // Each annotated file shows its own input: they differ, and each has its input's size.
        using var first = ImageFile.Read(annotated[0]);
        using var second = ImageFile.Read(annotated[1]);
        Assert.NotEqual(Hash(first), Hash(second));
        Assert.Equal(["x.txt", "x_png.txt"], Directory.GetFiles(Path.Combine(output, "labels")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_glob_selects_the_matching_files_only()
    {
        string folder = trained.NewFolder("glob");
        for (int i = 0; i < 3; i++)
            using (var img = ValImage(i)) ImageFile.Write(img, Path.Combine(folder, i == 2 ? $"other{i}.png" : $"img{i}.jpg"));
        string project = trained.NewFolder("predict-glob");
        var run = Predict(Path.Combine(folder, "img*.jpg"), project);
        Assert.True(run.ExitCode == 0, run.ToString());
        var entries = ReadPredictions(Path.Combine(project, "p"));
        Assert.Equal([Path.Combine(folder, "img0.jpg"), Path.Combine(folder, "img1.jpg")], entries.Select(e => e.GetProperty("image").GetString()));
    }

    [Fact]
    public void A_txt_list_names_images_relative_to_itself()
    {
        string folder = trained.NewFolder("list");
        Directory.CreateDirectory(Path.Combine(folder, "pics"));
        for (int i = 0; i < 3; i++)
            using (var img = ValImage(i)) ImageFile.Write(img, Path.Combine(folder, "pics", $"p{i}.jpg"));
        string list = Path.Combine(folder, "list.txt");
        File.WriteAllText(list, "pics/p2.jpg\n\npics/p0.jpg\n");
        string project = trained.NewFolder("predict-list");
        var run = Predict(list, project);
        Assert.True(run.ExitCode == 0, run.ToString());
        var entries = ReadPredictions(Path.Combine(project, "p"));
        Assert.Equal([Path.Combine(folder, "pics", "p0.jpg"), Path.Combine(folder, "pics", "p2.jpg")], entries.Select(e => e.GetProperty("image").GetString()));
    }

    [Fact]
    public void A_video_gives_an_annotated_video_with_every_frame_and_per_frame_boxes()
    {
        string folder = trained.NewFolder("video");
        string video = Path.Combine(folder, "clip.avi");
        const int frames = 7;
        const double fps = 12.5;
        using (var writer = new VideoWriter(video, FourCC.MJPG, fps, new Size(96, 72)))
        {
            Assert.True(writer.IsOpened());
            for (int i = 0; i < frames; i++)
            {
                using var img = ValImage(i % 4);
                using var frame = new Mat();
                Cv2.Resize(img, frame, new Size(96, 72));
                writer.Write(frame);
            }
        }
        string project = trained.NewFolder("predict-video");
        var run = Predict(video, project, "save_txt=true");
        Assert.True(run.ExitCode == 0, run.ToString());
        string output = Path.Combine(project, "p");
        string annotated = Path.Combine(output, "clip.avi");
        using (var capture = new VideoCapture(annotated))
        {
            Assert.True(capture.IsOpened(), annotated);
            Assert.Equal(fps, capture.Get(VideoCaptureProperties.Fps), 3);
            int read = 0;
            using var frame = new Mat();
            while (capture.Read(frame) && !frame.Empty())
            {
                Assert.Equal((96, 72), (frame.Width, frame.Height));
                read++;
            }
            Assert.Equal(frames, read);
        }
        var entries = ReadPredictions(output);
        Assert.Equal(Enumerable.Range(1, frames), entries.Select(e => e.GetProperty("frame").GetInt32()));
        Assert.All(entries, e => Assert.Equal(video, e.GetProperty("image").GetString()));
        Assert.All(entries, e => Assert.NotEmpty(e.GetProperty("detections").EnumerateArray()));
        Assert.Equal(Enumerable.Range(1, frames).Select(f => $"clip_{f}.txt").Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(output, "labels")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains($"0 images, {frames} video frames", run.Stdout);

        // vid_stride=3 keeps frames 3 and 6 (Ultralytics grabs vid_stride frames and keeps the last).
        string strided = trained.NewFolder("predict-video-stride");
        var run3 = Predict(video, strided, "vid_stride=3");
        Assert.True(run3.ExitCode == 0, run3.ToString());
        Assert.Equal(2, ReadPredictions(Path.Combine(strided, "p")).Length);
    }

    static string Hash(Mat m) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Parity.Bytes(m)));

    static class Parity
    {
        public static byte[] Bytes(Mat m)
        {
            int height = m.Height, row = m.Width * m.ElemSize();
            var bytes = new byte[height * row];
            for (int y = 0; y < height; y++) System.Runtime.InteropServices.Marshal.Copy(m.Ptr(y), bytes, y * row, row);
            return bytes;
        }
    }
}
