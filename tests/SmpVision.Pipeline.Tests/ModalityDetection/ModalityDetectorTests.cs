using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.ModalityDetection;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic.Overhead;

namespace SmpVision.Pipeline.Tests.ModalityDetection;

public sealed class ModalityDetectorTests
{
    [Theory]
    [InlineData(1, SceneBackground.Plain)]
    [InlineData(2, SceneBackground.Busy)]
    public void Generated_head_photo_is_overhead(int seed, SceneBackground background)
    {
        using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = seed, Background = background, BackgroundColour = new LabColour(30, 5, 20) });
        var decision = ModalityDetector.Detect(scene.Image, new ModalityOptions());
        Assert.Equal(Model.Modality.Overhead, decision.Modality);
        Assert.InRange(decision.Confidence, 0.5, 1.0);
        Assert.Equal(5, decision.Cues.Count);
    }

    [Fact]
    public void Generated_dermoscope_field_is_trichoscopy()
    {
        // A lit, pale, low-chroma field with a few thick dark shafts: what a 70x frame looks like.
        var rng = new Random(3);
        using var field = new Mat(320, 400, MatType.CV_8UC3, new Scalar(200, 195, 205));
        for (int i = 0; i < 12; i++)
        {
            var p = new Point(rng.Next(400), rng.Next(320));
            double angle = rng.NextDouble() * Math.PI;
            var q = new Point(p.X + (Math.Cos(angle) * 60), p.Y + (Math.Sin(angle) * 60));
            Cv2.Line(field, p, q, new Scalar(30, 30, 35), 7, LineTypes.AntiAlias);
        }

        using var image = ScalpImage.FromBgr(field.Clone());
        var decision = ModalityDetector.Detect(image, new ModalityOptions());
        Assert.Equal(Model.Modality.Trichoscopy, decision.Modality);
    }

    [Fact]
    public void Invalid_options_are_reported()
    {
        Assert.Empty(new ModalityOptions().Validate());
        Assert.Equal(2, new ModalityOptions { AnalysisLongSidePixels = 1, CueClipUnits = 0 }.Validate().Count);
    }
}
