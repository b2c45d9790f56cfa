using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Overhead;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Analysis;

/// <summary>
/// One analysed image with the native intermediates later steps need (masks, labels): Analyze
/// returns only <see cref="Result"/>; Compare uses the masks of both photos. Owns everything.
/// </summary>
internal sealed class AnalysedImage(
    ScalpImage image,
    TrichoscopyResult? trichoscopy,
    OverheadResult? overhead,
    RegionMap regions,
    ScalpAnalysisResult result) : IDisposable
{
    public ScalpImage Image { get; } = image;

    public ScalpAnalysisResult Result { get; } = result;

    public RegionMap Regions { get; } = regions;

    /// <summary>The trichoscopy measurement, when the photo is a trichoscopy frame.</summary>
    public TrichoscopyResult? Trichoscopy { get; } = trichoscopy;

    /// <summary>Scalp pixels that count (trichoscopy analysable mask, or overhead scalp mask).</summary>
    public Mat AnalysableMask => Trichoscopy?.AnalysableMask ?? overhead!.ScalpMask;

    /// <summary>Hair pixels (trichoscopy), or the overhead hair-bearing label pixels.</summary>
    public Mat HairMask => Trichoscopy?.HairMask ?? _overheadHair.Value;

    private readonly Lazy<Mat> _overheadHair = new(() =>
    {
        var mask = new Mat();
        Cv2.Compare(overhead!.Labels, new Scalar((byte)Model.RegionClass.HairBearing), mask, CmpTypes.EQ);
        return mask;
    });

    public void Dispose()
    {
        if (_overheadHair.IsValueCreated)
        {
            _overheadHair.Value.Dispose();
        }

        Regions.Dispose();
        Trichoscopy?.Dispose();
        overhead?.Dispose();
        Image.Dispose();
    }
}
