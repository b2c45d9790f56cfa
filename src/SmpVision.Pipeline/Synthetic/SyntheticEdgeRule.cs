using SmpVision.Pipeline.Measurement;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>
/// The product's documented edge rule (<see cref="HairInstanceOptions.MinCountedLengthMicrometres"/>,
/// <see cref="HairInstanceOptions.MinCountedLengthCutOpeningMicrometres"/>; Measurement/TRICHOSCOPY.md)
/// applied to the exact truth, so that a detector's edge-rule count is compared with the same rule:
/// a hair counts iff at least MinCounted of shaft is visible and either its emergence point lies in
/// the analysable area or at least MinCountedCutOpening of shaft is visible. A unit counts when at
/// least one of its hairs does (as <c>DensityEstimator</c> counts units).
/// <para><see cref="SyntheticGroundTruth.AnalysableHairCount"/> keeps the pure emergence rule (every
/// opening in the area, however short the visible shaft): the density of the scene. The edge rule
/// differs from it by short stubs (not counted) and long shafts entering from the edge (counted).</para>
/// </summary>
public static class SyntheticEdgeRule
{
    /// <summary>True when hair <paramref name="index"/> of the truth counts under the edge rule.</summary>
    public static bool Counts(SyntheticGroundTruth truth, int index, HairInstanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        var o = options ?? new HairInstanceOptions();
        var d = truth.HairDetails[index];
        double visibleMicrometres = d.VisibleLengthPixels / truth.PixelsPerMillimetre * 1000.0;
        return visibleMicrometres >= o.MinCountedLengthMicrometres
            && (d.Counted || visibleMicrometres >= o.MinCountedLengthCutOpeningMicrometres);
    }

    /// <summary>Hairs counted by the edge rule.</summary>
    public static int HairCount(SyntheticGroundTruth truth, HairInstanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        int n = 0;
        for (int i = 0; i < truth.HairDetails.Count; i++)
        {
            if (Counts(truth, i, options))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Units with at least one hair counted by the edge rule.</summary>
    public static int FollicularUnitCount(SyntheticGroundTruth truth, HairInstanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        return truth.FollicularUnits.Count(u => u.HairIds.Any(id => Counts(truth, id, options)));
    }

    /// <summary>Mean shaft width of the hairs counted by the edge rule; null when none counts.</summary>
    public static double? MeanWidthMicrometres(SyntheticGroundTruth truth, HairInstanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        var widths = Enumerable.Range(0, truth.HairDetails.Count).Where(i => Counts(truth, i, options)).Select(i => truth.HairDetails[i].WidthMicrometres).ToList();
        return widths.Count == 0 ? null : widths.Average();
    }
}
