using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// One visit's analysis, as the change analysis needs it. The Mats are borrowed (the caller
/// keeps ownership and disposes them); all are at the image's size.
/// </summary>
/// <param name="Image">The photo.</param>
/// <param name="AnalysableMask">8UC1, non-zero where the scalp was analysed (overlays, rim, glare excluded).</param>
/// <param name="HairMask">8UC1, non-zero on hair shafts.</param>
/// <param name="Hairs">The hairs to count (emergence points in this image's pixels). Pass only hairs whose
/// emergence was seen (trichoscopy: <see cref="HairInstance.CountedInDensity"/>); a hair cut by the frame
/// edge has no true emergence in the frame and would be counted at a false one. <see cref="FromTrichoscopy"/> does this.</param>
/// <param name="Units">The follicular units to count (centres in this image's pixels).</param>
/// <param name="RegionLabels">Optional 8UC1 map of <see cref="RegionClass"/> values.</param>
/// <param name="Scale">Physical scale, when known.</param>
/// <param name="Modality">Modality, when known.</param>
internal sealed record ComparisonSide(
    ScalpImage Image,
    Mat AnalysableMask,
    Mat HairMask,
    IReadOnlyList<HairInstance> Hairs,
    IReadOnlyList<FollicularUnit> Units,
    Mat? RegionLabels = null,
    Scale? Scale = null,
    Modality Modality = Modality.Unknown)
{
    /// <summary>Throws when a mask is missing, of the wrong type or of the wrong size.</summary>
    internal void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(Image, name);
        ArgumentNullException.ThrowIfNull(Hairs, name);
        ArgumentNullException.ThrowIfNull(Units, name);
        Check(AnalysableMask, nameof(AnalysableMask));
        Check(HairMask, nameof(HairMask));
        if (RegionLabels is not null)
        {
            Check(RegionLabels, nameof(RegionLabels));
        }

        void Check(Mat? m, string what)
        {
            if (m is null || m.Type() != MatType.CV_8UC1 || m.Cols != Image.WidthPixels || m.Rows != Image.HeightPixels)
            {
                throw new ArgumentException($"{name}.{what} must be an 8UC1 Mat of {Image.WidthPixels}x{Image.HeightPixels}.", name);
            }
        }
    }

    /// <summary>
    /// A side from a trichoscopy analysis: its masks (borrowed: keep the result alive and dispose it
    /// after the comparison), the hairs it counted in density, and the units holding such a hair.
    /// </summary>
    internal static ComparisonSide FromTrichoscopy(ScalpImage image, TrichoscopyResult analysis, Mat? regionLabels = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(analysis);
        var counted = analysis.Hairs.Where(h => h.CountedInDensity).ToList();
        var countedIds = counted.Select(h => h.Id).ToHashSet();
        var units = analysis.FollicularUnits.Where(u => u.HairIds.Any(countedIds.Contains)).ToList();
        return new ComparisonSide(image, analysis.AnalysableMask, analysis.HairMask, counted, units, regionLabels, analysis.Scale, Modality.Trichoscopy);
    }

    /// <summary>The registration view of this side (analysable mask keeps keypoints on scalp).</summary>
    internal RegistrationSide ForRegistration() => new(Image, Modality, Scale, AnalysableMask);
}
