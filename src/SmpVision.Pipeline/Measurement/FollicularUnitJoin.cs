using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Measurement;

/// <summary>
/// First step of follicular-unit grouping: stems (one located opening each) share one opening
/// when their emergence points lie within the join distance (DOMAIN.md: an FU is 1-4 hairs sharing
/// one follicular opening) and their shafts do not leave that point in opposing directions. The
/// hairs of one unit leave their opening side by side and nearly parallel, so two stems whose
/// shafts point more than <c>maxAngleDegrees</c> apart from nearby emergence points are not one
/// opening: one of them had its opening placed at its tip end (a flipped stem), and that tip lies
/// near the opening of a neighbouring unit (on mixed 1401-1730, 121 merged units held truth
/// openings 5-16 shaft widths apart while the join distance is 3). The flipped stem, left alone,
/// is then taken by the wrong-end join (its far end runs side by side with its real unit's shafts).
/// </summary>
internal static class FollicularUnitJoin
{
    /// <summary>
    /// Unions (in <paramref name="parent"/>, a union-find forest) every pair of stems whose
    /// emergence points lie within <paramref name="join"/> pixels unless their directions
    /// (emergence to far end) differ by more than <paramref name="maxAngleDegrees"/>; a stem
    /// shorter than <paramref name="minDirectionLength"/> pixels has no reliable direction and
    /// joins by distance alone. <paramref name="maxAngleDegrees"/> &gt;= 180 or &lt;= 0 joins by
    /// distance alone.
    /// </summary>
    internal static void JoinByOpening(
        int[] parent,
        IReadOnlyList<PointPixels> emergence,
        IReadOnlyList<PointPixels> far,
        double join,
        double maxAngleDegrees,
        double minDirectionLength)
    {
        int stems = emergence.Count;
        bool gate = maxAngleDegrees is > 0 and < 180;
        double cosMax = Math.Cos(maxAngleDegrees * Math.PI / 180);
        double j2 = join * join;
        double minLen2 = minDirectionLength * minDirectionLength;
        for (int i = 0; i < stems; i++)
        {
            for (int j = i + 1; j < stems; j++)
            {
                if (HairInstanceExtractor.Dist2(emergence[i], emergence[j]) > j2)
                {
                    continue;
                }

                if (gate && Opposed(emergence[i], far[i], emergence[j], far[j], cosMax, minLen2))
                {
                    continue;
                }

                parent[HairInstanceExtractor.Find(parent, i)] = HairInstanceExtractor.Find(parent, j);
            }
        }
    }

    /// <summary>
    /// Last step of follicular-unit grouping (session 13, tri22), after the wrong-end join
    /// (<see cref="HairInstanceExtractor.JoinWrongEndStems"/>). A stem that join took by its tip
    /// end had its opening placed at the wrong end, so its real opening is its far end: that end
    /// now joins by opening like any other stem (every stem whose emergence point lies within
    /// <paramref name="join"/> of it and whose shaft is not opposed to the stem's reversed shaft,
    /// as in <see cref="JoinByOpening"/>), not only the one stem the wrong-end join picked. A
    /// 3-hair unit's openings span up to ~4-6 shaft widths (its hairs leave side by side, the
    /// outer ones ~1-2 widths either side of the middle one), so with the middle hair flipped the
    /// outer hairs are out of each other's reach and only the middle one's real opening bridges
    /// them (mixed 801-830: 7 of 17 split units holding a flipped hair in a group). A union that
    /// would make a unit of more than <paramref name="maxHairsPerUnit"/> hairs is skipped
    /// (DOMAIN.md: an FU holds 1-4 hairs).
    /// </summary>
    internal static void JoinFlippedStemsAtFarEnd(
        int[] parent,
        IReadOnlyList<PointPixels> emergence,
        IReadOnlyList<PointPixels> far,
        IReadOnlyList<int> flipped,
        IReadOnlyList<int> hairsOfStem,
        double join,
        double maxAngleDegrees,
        double minDirectionLength,
        int maxHairsPerUnit)
    {
        int stems = emergence.Count;
        double j2 = join * join;
        double minLen2 = minDirectionLength * minDirectionLength;
        bool gate = maxAngleDegrees is > 0 and < 180;
        double cosMax = Math.Cos(maxAngleDegrees * Math.PI / 180);
        var hairs = new int[stems];
        for (int i = 0; i < stems; i++)
        {
            hairs[HairInstanceExtractor.Find(parent, i)] += hairsOfStem[i];
        }

        foreach (int j in flipped)
        {
            for (int k = 0; k < stems; k++)
            {
                if (k == j || HairInstanceExtractor.Dist2(far[j], emergence[k]) > j2)
                {
                    continue;
                }

                if (gate && Opposed(far[j], emergence[j], emergence[k], far[k], cosMax, minLen2))
                {
                    continue;
                }

                int rj = HairInstanceExtractor.Find(parent, j), rk = HairInstanceExtractor.Find(parent, k);
                if (rj == rk || (maxHairsPerUnit > 0 && hairs[rj] + hairs[rk] > maxHairsPerUnit))
                {
                    continue;
                }

                parent[rj] = rk;
                hairs[rk] += hairs[rj];
            }
        }
    }

    /// <summary>Shafts a (a0 to a1) and b (b0 to b1), both long enough to have a direction, point more than the angle apart.</summary>
    internal static bool Opposed(PointPixels a0, PointPixels a1, PointPixels b0, PointPixels b1, double cosMax, double minLen2)
    {
        double ax = a1.X - a0.X, ay = a1.Y - a0.Y, bx = b1.X - b0.X, by = b1.Y - b0.Y;
        double la2 = (ax * ax) + (ay * ay), lb2 = (bx * bx) + (by * by);
        if (la2 < minLen2 || lb2 < minLen2 || la2 <= 0 || lb2 <= 0)
        {
            return false;
        }

        return ((ax * bx) + (ay * by)) < cosMax * Math.Sqrt(la2 * lb2);
    }
}
