using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>Encodes a truth's label map as an 8-bit single-channel PNG whose pixel values are the
/// <see cref="RegionClass"/> values (0-5), with hair shafts set to 255.</summary>
public static class SyntheticLabelImage
{
    /// <summary>Value written for hair-shaft pixels.</summary>
    public const byte HairValue = 255;

    public static byte[] Encode(SyntheticGroundTruth truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        using var mat = new Mat(truth.HeightPixels, truth.WidthPixels, MatType.CV_8UC1);
        var pixels = new byte[truth.RegionLabels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = truth.HairMask[i] != 0 ? HairValue : truth.RegionLabels[i];
        }

        mat.SetArray(pixels);
        _ = RegionClass.OffScalp;
        return mat.ImEncode(".png");
    }
}
