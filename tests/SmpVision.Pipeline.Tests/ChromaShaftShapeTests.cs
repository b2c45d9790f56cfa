using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using Xunit;

namespace SmpVision.Pipeline.Tests;

public sealed class ChromaShaftShapeTests
{
    [Fact]
    public void KeepStraightLong_DropsShortSquiggleKeepsLongShaft()
    {
        using var mask = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Line(mask, new Point(10, 20), new Point(190, 30), Scalar.All(255), 5);
        Cv2.Circle(mask, new Point(100, 75), 6, Scalar.All(255), -1);

        int cleared = ChromaShaftShape.KeepStraightLong(mask, 50, 0);

        Assert.Equal(1, cleared);
        Assert.Equal(0, mask.At<byte>(75, 100));
        Assert.Equal(255, mask.At<byte>(25, 100));
    }
}
