using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>Head-level result of the standard capture set.</summary>
/// <param name="BaldFractionOfHead">Hairless share of the scalp over the views given, SALT-weighted (0-1).</param>
/// <param name="SaltLikeScorePercent">Sum of weight x hairless fraction over top, left, right and back (0-100); null unless all four were given.</param>
/// <param name="SaltWeightCoveredFraction">Share of the SALT weight the given views cover (1 with all four).</param>
/// <param name="Warnings">Missing views and what that means for the score.</param>
public sealed record HeadSummary(double BaldFractionOfHead, double? SaltLikeScorePercent, double SaltWeightCoveredFraction, IReadOnlyList<PipelineWarning> Warnings);

/// <summary>
/// Combines per-view bald fractions into a head-level figure with the SALT view weights (Olsen
/// 2004, Severity of Alopecia Tool: top 40%, left 18%, right 18%, back 24% of the scalp). The
/// front view shows the frontal hairline, which SALT counts inside the top view: it is reported
/// but not weighted. A photo shows a projected, not a surface, fraction, so the score is
/// "SALT-like", not a clinician's SALT.
/// </summary>
public static class HeadScore
{
    /// <summary>SALT weight of a view (share of the scalp); 0 for the front view.</summary>
    public static double SaltWeight(OverheadView view) => view switch
    {
        OverheadView.TopDown => 0.40,
        OverheadView.Left => 0.18,
        OverheadView.Right => 0.18,
        OverheadView.Back => 0.24,
        _ => 0,
    };

    /// <summary>Combines each view's hairless fraction of its scalp (each view at most once).</summary>
    public static HeadSummary Combine(IReadOnlyList<(OverheadView View, double BaldFraction)> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count == 0)
        {
            throw new ArgumentException("At least one view is needed.", nameof(views));
        }

        var warnings = new List<PipelineWarning>();
        double covered = views.Sum(v => SaltWeight(v.View));
        double baldOfHead;
        if (covered > 0)
        {
            baldOfHead = views.Sum(v => SaltWeight(v.View) * v.BaldFraction) / covered;
        }
        else
        {
            baldOfHead = views.Average(v => v.BaldFraction);
            warnings.Add(new PipelineWarning("head-front-only", "Only the front view was given: the head bald fraction is that view's; add top, left, right and back views for a SALT-like score."));
        }

        var missing = new[] { OverheadView.TopDown, OverheadView.Left, OverheadView.Right, OverheadView.Back }.Where(v => views.All(x => x.View != v)).ToList();
        double? salt = null;
        if (missing.Count == 0)
        {
            salt = 100 * views.Sum(v => SaltWeight(v.View) * v.BaldFraction);
        }
        else if (covered > 0)
        {
            warnings.Add(new PipelineWarning("head-views-missing", $"No {string.Join(", ", missing)} view: the SALT-like score needs all four SALT views; the head bald fraction is renormalised over the {covered:P0} of the scalp the given views cover."));
        }

        return new HeadSummary(baldOfHead, salt, covered, warnings);
    }
}
