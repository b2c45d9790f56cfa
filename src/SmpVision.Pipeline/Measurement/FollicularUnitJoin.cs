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
