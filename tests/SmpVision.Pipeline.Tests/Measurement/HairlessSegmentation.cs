using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>A segmentation of a square frame with no hair, everything analysable (for colour tests that build the skin themselves).</summary>
internal static class HairlessSegmentation
{
    public static HairSegmentation Of(int size) => new(
        new Mat(size, size, MatType.CV_8UC1, Scalar.All(0)),
        new Mat(size, size, MatType.CV_8UC1, Scalar.All(0)),
        new Mat(size, size, MatType.CV_8UC1, Scalar.All(128)),
        new Mat(size, size, MatType.CV_8UC1, Scalar.All(255)),
        1.0,
        new Mat(size, size, MatType.CV_8UC3, Scalar.All(0)));
}
