using SmpVision.Pipeline.Calibration;

namespace SmpVision.Pipeline.Measurement;

/// <summary>
/// Hair density over the analysed scalp area of one frame. Counts follow the unbiased edge rule:
/// a hair counts iff its emergence point lies in the analysable area (not on an end cut by the
/// frame or an overlay), so hairs cut by the frame edge are neither lost nor double counted when
/// frames tile the scalp. Physical values are null without a scale.
/// </summary>
/// <param name="VisibleHairCount">Every hair seen in the frame, including those whose opening lies outside it.</param>
/// <param name="HairCount">Hairs counted by the edge rule (the density numerator).</param>
/// <param name="FollicularUnitCount">Follicular units with at least one counted hair.</param>
/// <param name="AnalysableAreaPixels">Scalp pixels left after masking (full resolution).</param>
/// <param name="AnalysableAreaFraction">Share of the frame they make up.</param>
/// <param name="AnalysableAreaSquareMillimetres">Their area; null without a scale.</param>
/// <param name="HairsPerSquareCentimetre">Counted hairs per cm2; null without a scale.</param>
/// <param name="HairsPerSquareCentimetreStandardError">1 sigma: Poisson on the count plus the scale's uncertainty.</param>
/// <param name="FollicularUnitsPerSquareCentimetre">Counted FUs per cm2; null without a scale.</param>
/// <param name="FollicularUnitsPerSquareCentimetreStandardError">1 sigma, as for hairs.</param>
/// <param name="HairsPerFollicularUnitHistogram">Entry k-1 = number of counted FUs with k hairs (k = 1..5; the last entry is 5 or more).</param>
/// <param name="MeanHairsPerFollicularUnit">Counted hairs over counted FUs; null with no FU.</param>
/// <param name="VellusFraction">Share of counted hairs narrower than 30 um (docs/DOMAIN-SOURCES.md); null without a scale or hairs.</param>
/// <param name="IntermediateFraction">Share between 30 and 60 um; null without a scale or hairs.</param>
/// <param name="TerminalFraction">Share of 60 um or wider; null without a scale or hairs.</param>
/// <param name="MeanShaftWidthMicrometres">Mean width of counted hairs; null without a scale or hairs.</param>
/// <param name="HairCoverageFraction">Share of the analysable area covered by hair pixels.</param>
public sealed record TrichoscopyDensity(
    int VisibleHairCount,
    int HairCount,
    int FollicularUnitCount,
    long AnalysableAreaPixels,
    double AnalysableAreaFraction,
    double? AnalysableAreaSquareMillimetres,
    double? HairsPerSquareCentimetre,
    double? HairsPerSquareCentimetreStandardError,
    double? FollicularUnitsPerSquareCentimetre,
    double? FollicularUnitsPerSquareCentimetreStandardError,
    IReadOnlyList<int> HairsPerFollicularUnitHistogram,
    double? MeanHairsPerFollicularUnit,
    double? VellusFraction,
    double? IntermediateFraction,
    double? TerminalFraction,
    double? MeanShaftWidthMicrometres,
    double HairCoverageFraction);

/// <summary>
/// Density over the analysed area: hairs/cm2 and FU/cm2 with 1-sigma errors (Poisson on the count
/// combined with the scale's relative uncertainty, doubled because area goes with the square of
/// the scale), hairs-per-FU histogram, width classes (docs/DOMAIN-SOURCES.md: terminal &gt;= 60 um, vellus
/// &lt; 30 um) and coverage. Edge rule: a hair counts iff <see cref="HairInstance.CountedInDensity"/>
/// (emergence point in the analysable area with enough shaft visible, or a long shaft whose opening is cut).
/// </summary>
internal static class DensityEstimator
{
    public static TrichoscopyDensity Estimate(
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        long analysablePixels,
        long framePixels,
        long hairPixelsInAnalysable,
        Scale? scale)
    {
        ArgumentNullException.ThrowIfNull(hairs);
        ArgumentNullException.ThrowIfNull(units);
        var counted = CountingRule.CountedHairs(hairs);
        var histogram = new int[5];
        int fuCount = 0;
        foreach (var (_, k) in CountingRule.CountedUnits(units, hairs))
        {
            fuCount++;
            histogram[Math.Min(5, k) - 1]++;
        }

        double? areaMm2 = scale is null ? null : analysablePixels * scale.SquareMillimetresPerPixel;
        double? hairsPerCm2 = null, hairsSe = null, fuPerCm2 = null, fuSe = null;
        if (scale is not null && analysablePixels > 0)
        {
            double areaCm2 = scale.PixelsToSquareCentimetres(analysablePixels);
            (hairsPerCm2, hairsSe) = Rate(counted.Count, areaCm2, scale.RelativeUncertainty);
            (fuPerCm2, fuSe) = Rate(fuCount, areaCm2, scale.RelativeUncertainty);
        }

        double? vellus = null, inter = null, terminal = null, meanWidth = null;
        if (scale is not null && counted.Count > 0)
        {
            double c = counted.Count;
            vellus = counted.Count(h => h.WidthClass == HairWidthClass.Vellus) / c;
            inter = counted.Count(h => h.WidthClass == HairWidthClass.Intermediate) / c;
            terminal = counted.Count(h => h.WidthClass == HairWidthClass.Terminal) / c;
            meanWidth = counted.Average(h => h.WidthMicrometres ?? 0);
        }

        return new TrichoscopyDensity(
            hairs.Count,
            counted.Count,
            fuCount,
            analysablePixels,
            framePixels > 0 ? (double)analysablePixels / framePixels : 0,
            areaMm2,
            hairsPerCm2,
            hairsSe,
            fuPerCm2,
            fuSe,
            histogram,
            fuCount > 0 ? (double)counted.Count / fuCount : null,
            vellus,
            inter,
            terminal,
            meanWidth,
            analysablePixels > 0 ? (double)hairPixelsInAnalysable / analysablePixels : 0);
    }

    /// <summary>Rate and its 1-sigma error; a zero count uses one count for the Poisson term (a conservative bound).</summary>
    private static (double Rate, double StandardError) Rate(int count, double areaCm2, double scaleRelUnc)
    {
        double rate = count / areaCm2;
        double poissonRel = 1.0 / Math.Sqrt(Math.Max(1, count));
        double rel = Math.Sqrt((poissonRel * poissonRel) + (4 * scaleRelUnc * scaleRelUnc));
        double se = count == 0 ? 1.0 / areaCm2 : rate * rel;
        return (rate, se);
    }
}
