namespace SmpVision.Pipeline.Measurement;

/// <summary>
/// The one count rule of every area figure (overall density, each region, the plan's reference and
/// existing density): the unbiased edge rule. A hair counts iff <see cref="HairInstance.CountedInDensity"/>;
/// a follicular unit counts iff at least one of its hairs counts. Whatever detector made the
/// records, overall and per-region counts of the same area then agree.
/// </summary>
public static class CountingRule
{
    /// <summary>The hairs that count.</summary>
    public static IReadOnlyList<HairInstance> CountedHairs(IReadOnlyList<HairInstance> hairs)
    {
        ArgumentNullException.ThrowIfNull(hairs);
        return hairs.Where(h => h.CountedInDensity).ToList();
    }

    /// <summary>The units that count, each with how many of its hairs count (at least one).</summary>
    public static IReadOnlyList<(FollicularUnit Unit, int CountedHairs)> CountedUnits(IReadOnlyList<FollicularUnit> units, IReadOnlyList<HairInstance> hairs)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(hairs);
        var counted = hairs.Where(h => h.CountedInDensity).Select(h => h.Id).ToHashSet();
        var result = new List<(FollicularUnit, int)>();
        foreach (var u in units)
        {
            var k = u.HairIds.Count(counted.Contains);
            if (k > 0)
            {
                result.Add((u, k));
            }
        }

        return result;
    }
}
