using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Measurement;

/// <summary>Hairs and follicular units found in one frame, plus how shafts were split.</summary>
/// <param name="Hairs">Every visible hair, counted in density or not.</param>
/// <param name="FollicularUnits">Hairs grouped by shared opening.</param>
/// <param name="ReferenceShaftWidthPixels">Single-shaft width used to split touching shafts (full-resolution pixels).</param>
/// <param name="ReferenceWidthMeasured">True when that width was measured on the frame, false when the fallback was used.</param>
internal sealed record HairExtraction(
    IReadOnlyList<HairInstance> Hairs,
    IReadOnlyList<FollicularUnit> FollicularUnits,
    double ReferenceShaftWidthPixels,
    bool ReferenceWidthMeasured);

/// <summary>
/// Turns a hair mask into hair instances and follicular units. Each connected hair region is
/// sliced across its principal axis; a slice holds as many shafts as it has separate runs or as
/// its width holds single-shaft widths (touching shafts of one FU run side by side on shaved
/// scalp), and a region holds the largest shaft count that persists along the shaft; shafts are
/// also tracked slice by slice, and a region holding more tracked shafts with openings farther
/// apart than one unit's (several units touching at high density) gives one hair per track. The
/// emergence end is the end where shafts converge, else the end continued by the darker
/// sub-surface shaft under the skin. Hairs whose emergence points lie within one opening form a
/// follicular unit. Measures per hair: emergence, tip, length, median width (um with a scale;
/// terminal/intermediate/vellus classes, DOMAIN.md), cut-by-edge and the density-count flag.
/// </summary>
internal static class HairInstanceExtractor
{
    private const double GapPixels = 2.9;
    private const int MinRunPixels = 3;

    /// <summary>A slice wider than this many single-shaft widths holds two shafts side by side (the chain test skips it).</summary>
    private const double ChainSingleWidthRatio = 1.3;

    private sealed class Region
    {
        public double Cx;
        public double Cy;
        public double Ux;
        public double Uy;
        public double TMin;
        public int Bins;
        public double[] Width = [];
        public int[] Runs = [];
        public double[][] RunCentres = [];
        public double[][] RunWidths = [];
        public bool[] NearOff = [];
        public double SingleWidthMedian = double.NaN;
        public int SingleBins;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe HairExtraction Extract(
        HairSegmentation seg,
        Mat fullAnalysable,
        Scale? scale,
        double sizingPixelsPerMillimetre,
        HairInstanceOptions o,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(seg);
        ArgumentNullException.ThrowIfNull(fullAnalysable);
        ArgumentNullException.ThrowIfNull(o);
        Mat mask = seg.HairMask;
        int w = mask.Cols, h = mask.Rows;
        double ws = seg.WorkScale;
        double umPerWork = 1000.0 / sizingPixelsPerMillimetre / ws;

        using var labels = new Mat();
        using var stats = new Mat();
        using var cents = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(mask, labels, stats, cents, PixelConnectivity.Connectivity8);

        // Pixels near the frame border or an overlay: a region end there is cut.
        using var nearOff = new Mat();
        Cv2.BitwiseNot(seg.Analysable, nearOff);
        int m = o.EdgeMarginPixels;
        if (m > 0)
        {
            using var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size((2 * m) + 1, (2 * m) + 1));
            Cv2.Dilate(nearOff, nearOff, k);
        }

        // Bucket region pixels (one pass over the label image).
        var offsets = new int[n + 1];
        for (int i = 1; i < n; i++)
        {
            offsets[i + 1] = offsets[i] + stats.At<int>(i, (int)ConnectedComponentsTypes.Area);
        }

        var xs = new int[offsets[n]];
        var ys = new int[offsets[n]];
        var offs = new bool[offsets[n]];
        var fillPos = (int[])offsets.Clone();
        for (int y = 0; y < h; y++)
        {
            int* pl = MatPixels.RowInt(labels, y);
            byte* po = MatPixels.Row(nearOff, y);
            for (int x = 0; x < w; x++)
            {
                int l = pl[x];
                if (l > 0)
                {
                    int p = fillPos[l]++;
                    xs[p] = x;
                    ys[p] = y;
                    offs[p] = po[x] != 0 || x < m || y < m || x >= w - m || y >= h - m;
                }
            }
        }

        ct.ThrowIfCancellationRequested();
        var regions = new Region[n];
        for (int i = 1; i < n; i++)
        {
            regions[i] = Slice(xs, ys, offs, offsets[i], offsets[i + 1] - offsets[i]);
        }

        // Reference single-shaft width: median over regions of their single-run slice widths.
        int sustainBins = Math.Max(2, (int)Math.Round(o.MinSustainedMicrometres / umPerWork));
        var singles = new List<double>();
        for (int i = 1; i < n; i++)
        {
            if (regions[i].SingleBins >= sustainBins && !double.IsNaN(regions[i].SingleWidthMedian))
            {
                singles.Add(regions[i].SingleWidthMedian);
            }
        }

        bool measured = singles.Count >= 3;
        double w1 = measured ? Quantile(singles, o.ReferenceWidthQuantile) : o.FallbackShaftWidthMicrometres / umPerWork;
        // Thin dark texture or vellus fragments can pull the frame's reading below a terminal
        // shaft; splitting wide regions by it would cut single terminal shafts into several.
        w1 = Math.Max(w1, o.MinReferenceShaftWidthMicrometres / umPerWork);

        double probe = o.EmergenceProbeMicrometres / umPerWork;
        // Hairs of one unit leave the opening side by side, so the opening is wider for wide shafts.
        double fuJoinFull = Math.Max(o.FollicularUnitJoinMicrometres / umPerWork, o.FollicularUnitJoinShaftWidths * w1) / ws;

        // Light and colour-contrast shafts cast almost no sub-surface shadow (the generator's and
        // the eye's: the shadow's strength follows how much darker the hair is than the skin).
        bool fadeTest = o.EmergenceFadeTest && (seg.Polarity == HairPolarity.Light || seg.ChromaUsed);
        var hairs = new List<HairInstance>();
        // A stem is one opening seen in the frame: one per region, two for a chain region.
        var stemOfHair = new List<int>();
        var stemEmergence = new List<PointPixels>();
        // The stem's other end (tip side): a stem whose opening was placed at the wrong end still
        // has its real opening there.
        var stemFar = new List<PointPixels>();
        int chainMinBins = Math.Max(sustainBins, (int)Math.Ceiling(o.ChainMinPartShaftWidths * w1));
        int trackMinBins = o.TrackMinShaftWidths > 0 ? Math.Max(sustainBins, (int)Math.Ceiling(o.TrackMinShaftWidths * w1)) : 0;
        for (int i = 1; i < n; i++)
        {
            ct.ThrowIfCancellationRequested();
            var r = regions[i];
            if (o.EdgeHuggingMinFraction > 0 && r.Bins * umPerWork >= o.EdgeHuggingMinLengthMicrometres && r.NearOff.Count(x => x) >= o.EdgeHuggingMinFraction * r.Bins)
            {
                // Along the frame edge or an overlay for its whole length: the edge of an unmasked
                // info bar or of the dark field rim, not a hair (a hair crosses the field).
                continue;
            }

            var shafts = new int[r.Bins];
            for (int b = 0; b < r.Bins; b++)
            {
                int byWidth = r.Width[b] == 0 ? 0 : Math.Max(1, (int)Math.Floor((r.Width[b] / w1) + (2 - o.SplitWidthRatio)));
                // A run narrower than a fraction of one shaft is a shaft split by a glare streak
                // along it (oily highlight), not a second shaft.
                int fullRuns = 0;
                double rawSum = 0;
                foreach (var rw in r.RunWidths[b])
                {
                    rawSum += rw;
                    if (rw >= o.MinRunWidthFraction * w1)
                    {
                        fullRuns++;
                    }
                }

                if (fullRuns >= 2 && o.CountShaftsPerRun)
                {
                    // Shafts seen apart are counted run by run: two shafts each a little wider
                    // than the frame's reference together round up to three. Run widths are
                    // rescaled to the lattice-smoothed slice width.
                    double toSmooth = rawSum > 0 ? r.Width[b] / rawSum : 1;
                    int perRun = 0;
                    foreach (var rw in r.RunWidths[b])
                    {
                        if (rw >= o.MinRunWidthFraction * w1)
                        {
                            perRun += Math.Max(1, (int)Math.Floor((rw * toSmooth / w1) + (2 - o.SplitWidthRatio)));
                        }
                    }

                    byWidth = Math.Min(byWidth, perRun);
                }

                shafts[b] = Math.Max(fullRuns, byWidth);
            }

            int count = 1;
            bool overlappingPair = false;
            for (int k = 2; k <= 8; k++)
            {
                int c = 0;
                for (int b = 0; b < r.Bins; b++)
                {
                    if (shafts[b] >= k)
                    {
                        c++;
                    }
                }

                if (c >= Math.Max(sustainBins, o.MinSustainedLengthFraction * r.Bins))
                {
                    count = k;
                }
                else
                {
                    break;
                }
            }

            double interiorWidth = count == 1 && o.OverlappingPairWidthRatio > 0 ? InteriorMedianWidth(r) : 0;
            // tri23: interiorWidth > 0 so a zero ratio turns the rule off (0 >= 0 * w1 held before).
            if (interiorWidth > 0
                && interiorWidth >= o.OverlappingPairWidthRatio * w1
                && (interiorWidth >= o.OverlappingPairStrongWidthRatio * w1
                    || NarrowestSustainedWidth(r, w1, sustainBins) * o.OverlappingPairWidthRatio <= interiorWidth))
            {
                // Two shafts leaving one opening side by side overlap along their whole visible
                // length and never show two runs or a full two widths; a region that stays this
                // much wider than one shaft holds two.
                count = 2;
                overlappingPair = true;
            }

            int endBins = Math.Max(1, r.Bins / 5);
            double shaftsA = 0, shaftsB = 0;
            bool cutA = false, cutB = false;
            for (int b = 0; b < endBins; b++)
            {
                shaftsA += shafts[b];
                shaftsB += shafts[r.Bins - 1 - b];
            }

            int cutBins = Math.Min(r.Bins, Math.Max(2, (int)Math.Ceiling(2 * w1 / 3)));
            for (int b = 0; b < cutBins; b++)
            {
                cutA |= r.NearOff[b];
                cutB |= r.NearOff[r.Bins - 1 - b];
            }

            shaftsA /= endBins;
            shaftsB /= endBins;
            var endA = EndPoint(r, 0, Math.Min(3, r.Bins));
            var endB = EndPoint(r, r.Bins - Math.Min(3, r.Bins), r.Bins);
            double darkA = cutA ? double.NaN : BeyondDarkness(seg, endA, -r.Ux, -r.Uy, probe, w1);
            double darkB = cutB ? double.NaN : BeyondDarkness(seg, endB, r.Ux, r.Uy, probe, w1);

            double fadeA = double.NaN, fadeB = double.NaN;
            if (fadeTest)
            {
                // Pale shafts: the opening is the end where the shaft's own contrast fades (it
                // leaves the skin translucent), the cut tip keeps it to the end.
                fadeA = cutA ? double.NaN : EndFade(seg, endA, -r.Ux, -r.Uy, probe, w1);
                fadeB = cutB ? double.NaN : EndFade(seg, endB, r.Ux, r.Uy, probe, w1);
            }

            bool emergeAtA;
            // Equal shadows (none on either side) tell nothing, whatever the threshold.
            bool shadowDecides = !double.IsNaN(darkA) && !double.IsNaN(darkB) && Math.Abs(darkA - darkB) >= o.EmergenceShadowContrastGrey && darkA != darkB;
            if (fadeTest && !double.IsNaN(fadeA) && !double.IsNaN(fadeB))
            {
                // The fade decides over converging shafts too: on light and colour frames of the
                // mixed preset the converging end was the opening for only 53 of 96 such regions,
                // the fading end for 69.
                emergeAtA = fadeA <= fadeB;
            }
            else if (fadeTest && (!double.IsNaN(fadeA) || !double.IsNaN(fadeB)))
            {
                // One end seen: it is the opening when its contrast has faded.
                emergeAtA = double.IsNaN(fadeA) ? !(fadeB < o.EmergenceFadeMaxRatio) : fadeA < o.EmergenceFadeMaxRatio;
            }
            else if (count >= 2 && Math.Abs(shaftsA - shaftsB) >= 0.5 && !shadowDecides)
            {
                emergeAtA = shaftsA < shaftsB;
            }
            else if (!double.IsNaN(darkA) && !double.IsNaN(darkB))
            {
                double score = darkA - darkB;
                if (o.EmergenceFadeGreyPerRatio > 0)
                {
                    // Dark shafts fade in where they leave the skin too: the fade adds to the shadow.
                    double fa = EndFade(seg, endA, -r.Ux, -r.Uy, probe, w1), fb = EndFade(seg, endB, r.Ux, r.Uy, probe, w1);
                    if (!double.IsNaN(fa) && !double.IsNaN(fb))
                    {
                        score -= o.EmergenceFadeGreyPerRatio * (fa - fb);
                    }
                }

                emergeAtA = score >= 0;
            }
            else if (!double.IsNaN(darkA))
            {
                // Only A is visible: it is the opening when skin beyond it shows the sub-surface shaft.
                emergeAtA = darkA > 6;
            }
            else if (!double.IsNaN(darkB))
            {
                emergeAtA = !(darkB > 6);
            }
            else
            {
                emergeAtA = true;
            }

            bool emergenceCut = emergeAtA ? cutA : cutB;
            var emergence = emergeAtA ? endA : endB;
            var tipEnd = emergeAtA ? endB : endA;
            var tips = TipPoints(r, shafts, count, emergeAtA);

            // Median width per shaft over the interior (ends taper or are cut).
            var perShaft = new List<double>();
            int skip = r.Bins / 7;
            for (int b = skip; b < r.Bins - skip; b++)
            {
                if (r.Width[b] > 0)
                {
                    perShaft.Add(r.Width[b] / Math.Max(1, shafts[b]));
                }
            }

            double widthWork = perShaft.Count > 0 ? Median(perShaft) : w1;
            // Overlapping shafts cannot be measured apart: each is taken as one single-shaft width.
            double widthFull = (overlappingPair ? Math.Min(widthWork, w1) : widthWork) / ws;
            double lengthFull = r.Bins / ws;
            var emergenceFull = new PointPixels(emergence.X / ws, emergence.Y / ws);

            // Edge rule on what the hand counts show: a hair counts when its opening is in the
            // analysable area and enough shaft shows to be seen as a hair, or when its opening is
            // cut off but a long shaft shows; short stubs (texture, fragments) do not count.
            double lengthWorkUm = r.Bins * umPerWork;
            bool emergenceInside = !emergenceCut && IsSet(fullAnalysable, emergenceFull);
            bool counted = lengthWorkUm >= o.MinCountedLengthMicrometres
                && (emergenceInside || lengthWorkUm >= o.MinCountedLengthCutOpeningMicrometres);
            double? widthUm = scale is null ? null : widthFull * scale.MicrometresPerPixel;
            double? lengthUm = scale is null ? null : lengthFull * scale.MicrometresPerPixel;
            var widthClass = WidthClassOf(widthUm, o);
            if (trackMinBins > 0 && r.Bins >= trackMinBins)
            {
                var tracks = Tracks(r, w1, emergeAtA, o.MinRunWidthFraction, trackMinBins, o);
                if ((tracks.Count > count || (o.TrackOpeningsAtSustainedCount && count >= 2 && tracks.Count == count)) && SeveralOpenings(r, tracks, emergeAtA, fuJoinFull * ws) && NarrowRunFraction(r, o.MinRunWidthFraction * w1) <= o.TrackMaxNarrowRunFraction)
                {
                    // Several units' shafts touch in one region: one hair per tracked shaft, each
                    // with its own opening; the unit join below groups openings that are shared.
                    foreach (var t in tracks)
                    {
                        int openBin = emergeAtA ? t.OpeningIndex : r.Bins - 1 - t.OpeningIndex;
                        int tipBin = emergeAtA ? t.Last : r.Bins - 1 - t.Last;
                        var open = AxisPoint(r, openBin, t.OpeningCentre);
                        var tip = AxisPoint(r, tipBin, t.Centre);
                        var openFull = new PointPixels(open.X / ws, open.Y / ws);
                        var tipFull = new PointPixels(tip.X / ws, tip.Y / ws);
                        int bins = t.Last - t.OpeningIndex + 1;
                        double um = bins * umPerWork;
                        bool openCut = r.NearOff[openBin];
                        bool inside = !openCut && IsSet(fullAnalysable, openFull);
                        stemEmergence.Add(openFull);
                        stemFar.Add(tipFull);
                        hairs.Add(new HairInstance(hairs.Count, openFull, tipFull, bins / ws, widthFull, -1, openCut || r.NearOff[tipBin])
                        {
                            WidthMicrometres = widthUm,
                            LengthMicrometres = scale is null ? null : bins / ws * scale.MicrometresPerPixel,
                            WidthClass = widthClass,
                            CountedInDensity = um >= o.MinCountedLengthMicrometres && (inside || um >= o.MinCountedLengthCutOpeningMicrometres),
                        });
                        stemOfHair.Add(stemEmergence.Count - 1);
                    }

                    continue;
                }
            }

            int split = count == 1 && !overlappingPair && o.ChainMinBendShaftWidths > 0
                ? ChainSplit(r, w1, chainMinBins, o.ChainMinBendShaftWidths, o.ChainMaxResidualShaftWidths, emergeAtA)
                : -1;
            if (split > 0)
            {
                // Two shafts in line: the second leaves its opening at or under the first one's
                // tip. Both point the same way, so each part's opening is on the region's emergence side.
                int nearBins = emergeAtA ? split : r.Bins - split;
                int farBins = r.Bins - nearBins;
                var joint = EndPoint(r, Math.Max(0, split - 2), Math.Min(r.Bins, split + 2));
                var jointFull = new PointPixels(joint.X / ws, joint.Y / ws);
                bool jointInside = IsSet(fullAnalysable, jointFull);
                double nearUm = nearBins * umPerWork, farUm = farBins * umPerWork;
                bool nearCounted = nearUm >= o.MinCountedLengthMicrometres && (emergenceInside || nearUm >= o.MinCountedLengthCutOpeningMicrometres);
                bool farCounted = farUm >= o.MinCountedLengthMicrometres && (jointInside || farUm >= o.MinCountedLengthCutOpeningMicrometres);
                stemEmergence.Add(emergenceFull);
                stemFar.Add(jointFull);
                hairs.Add(new HairInstance(hairs.Count, emergenceFull, jointFull, nearBins / ws, widthFull, -1, cutA || cutB)
                {
                    WidthMicrometres = widthUm,
                    LengthMicrometres = scale is null ? null : nearBins / ws * scale.MicrometresPerPixel,
                    WidthClass = widthClass,
                    CountedInDensity = nearCounted,
                });
                stemOfHair.Add(stemEmergence.Count - 1);
                stemEmergence.Add(jointFull);
                stemFar.Add(new PointPixels(tipEnd.X / ws, tipEnd.Y / ws));
                hairs.Add(new HairInstance(hairs.Count, jointFull, new PointPixels(tipEnd.X / ws, tipEnd.Y / ws), farBins / ws, widthFull, -1, cutA || cutB)
                {
                    WidthMicrometres = widthUm,
                    LengthMicrometres = scale is null ? null : farBins / ws * scale.MicrometresPerPixel,
                    WidthClass = widthClass,
                    CountedInDensity = farCounted,
                });
                stemOfHair.Add(stemEmergence.Count - 1);
                continue;
            }

            stemEmergence.Add(emergenceFull);
            stemFar.Add(new PointPixels(tipEnd.X / ws, tipEnd.Y / ws));
            for (int k = 0; k < count; k++)
            {
                var tip = k < tips.Count ? tips[k] : tipEnd;
                hairs.Add(new HairInstance(
                    hairs.Count,
                    emergenceFull,
                    new PointPixels(tip.X / ws, tip.Y / ws),
                    lengthFull,
                    widthFull,
                    -1,
                    cutA || cutB)
                {
                    WidthMicrometres = widthUm,
                    LengthMicrometres = lengthUm,
                    WidthClass = widthClass,
                    CountedInDensity = counted,
                });
                stemOfHair.Add(stemEmergence.Count - 1);
            }
        }

        // Follicular units: regions whose emergence points share one opening.
        int stems = stemEmergence.Count;
        var parent = Enumerable.Range(0, stems).ToArray();
        FollicularUnitJoin.JoinByOpening(parent, stemEmergence, stemFar, fuJoinFull, o.FollicularUnitJoinMaxAngleDegrees, o.FollicularUnitDirectionMinShaftWidths * w1 / ws);

        double sideBySideJoinFull = Math.Max(fuJoinFull, o.FollicularUnitSideBySideJoinShaftWidths * w1 / ws);
        var flippedStems = JoinWrongEndStems(parent, stemEmergence, stemFar, sideBySideJoinFull, o.FollicularUnitSideBySideMaxAngleDegrees);
        if (o.FollicularUnitFlippedStemOpeningJoin)
        {
            // tri22: a flipped stem's real opening (its far end) joins by opening as well.
            var hairsOfStem = new int[stems];
            foreach (int stem in stemOfHair)
            {
                hairsOfStem[stem]++;
            }

            FollicularUnitJoin.JoinFlippedStemsAtFarEnd(
                parent, stemEmergence, stemFar, flippedStems, hairsOfStem, fuJoinFull, o.FollicularUnitJoinMaxAngleDegrees,
                o.FollicularUnitDirectionMinShaftWidths * w1 / ws, o.FollicularUnitMaxHairs);
        }
        var unitOfRoot = new Dictionary<int, int>();
        var unitHairs = new List<List<int>>();
        var finalHairs = new List<HairInstance>(hairs.Count);
        for (int hIdx = 0; hIdx < hairs.Count; hIdx++)
        {
            int root = Find(parent, stemOfHair[hIdx]);
            if (!unitOfRoot.TryGetValue(root, out int unit))
            {
                unit = unitHairs.Count;
                unitOfRoot[root] = unit;
                unitHairs.Add([]);
            }

            unitHairs[unit].Add(hIdx);
            finalHairs.Add(hairs[hIdx] with { FollicularUnitId = unit });
        }

        var units = new List<FollicularUnit>(unitHairs.Count);
        for (int u = 0; u < unitHairs.Count; u++)
        {
            var ids = unitHairs[u];
            double cx = ids.Average(i => finalHairs[i].Emergence.X);
            double cy = ids.Average(i => finalHairs[i].Emergence.Y);
            units.Add(new FollicularUnit(u, new PointPixels(cx, cy), ids));
        }

        return new HairExtraction(finalHairs, units, w1 / ws, measured);
    }

    /// <summary>
    /// Stems share one opening (DOMAIN.md: an FU is 1-4 hairs sharing one follicular opening) when
    /// their emergence points lie within the join distance (grouped before this). A stem left
    /// alone by that joins the unit of the nearest other stem whose emergence point lies within
    /// <paramref name="join"/> (the side-by-side reach, at least the join distance) of its far
    /// end when the two shafts run side by side from those ends (directions within
    /// <paramref name="maxAngleDegrees"/>): shafts of one unit leave their opening together and
    /// nearly parallel, so the lone stem's opening was placed at its tip end (on generated frames,
    /// seeds 401-410, this removed 47 of 59 split units). Likewise when its own emergence point
    /// lies within that reach of the other's and both leave in one direction: blur moves the
    /// located opening of a dim shaft end along the shaft (dev preset, seeds 711-720: 10 of 16
    /// split units). A chain (one hair's tip at another's opening) has its shafts leave the shared
    /// point in opposite directions and stays two units. Only lone stems move, so one wrong stem
    /// cannot bridge two units.
    /// </summary>
    /// <returns>The lone stems joined by their tip end (their opening was placed at the wrong end).</returns>
    internal static List<int> JoinWrongEndStems(int[] parent, List<PointPixels> emergence, List<PointPixels> far, double join, double maxAngleDegrees)
    {
        int stems = emergence.Count;
        var flipped = new List<int>();
        if (maxAngleDegrees <= 0 || stems < 2)
        {
            return flipped;
        }

        double cosMax = Math.Cos(maxAngleDegrees * Math.PI / 180);
        double j2 = join * join;
        var size = new int[stems];
        var root = new int[stems];
        for (int i = 0; i < stems; i++)
        {
            root[i] = Find(parent, i);
            size[root[i]]++;
        }

        var moves = new List<(int Stem, int Target)>();
        for (int j = 0; j < stems; j++)
        {
            if (size[root[j]] != 1)
            {
                continue;
            }

            int best = -1;
            bool bestAtFar = false;
            double bestD2 = j2;
            for (int i = 0; i < stems; i++)
            {
                if (i == j)
                {
                    continue;
                }

                // Opening placed at the tip end: the lone shaft runs back from its far end
                // alongside shaft i.
                double d2 = Dist2(far[j], emergence[i]);
                if (d2 <= bestD2 && SideBySide(emergence[i], far[i], far[j], emergence[j], cosMax))
                {
                    best = i;
                    bestAtFar = true;
                    bestD2 = d2;
                }

                // Opening in place but moved along the shaft by a dim end: both leave their
                // emergence points in one direction.
                d2 = Dist2(emergence[j], emergence[i]);
                if (d2 <= bestD2 && SideBySide(emergence[i], far[i], emergence[j], far[j], cosMax))
                {
                    best = i;
                    bestAtFar = false;
                    bestD2 = d2;
                }
            }

            if (best >= 0)
            {
                moves.Add((j, root[best]));
                if (bestAtFar)
                {
                    flipped.Add(j);
                }
            }
        }

        // Union, not assignment: two lone stems of one pair may each pick the other.
        foreach (var (stem, target) in moves)
        {
            parent[Find(parent, stem)] = Find(parent, target);
        }

        return flipped;
    }

    /// <summary>Shaft a runs from a0 to a1, shaft b from b0 to b1: they leave a0 and b0 in nearly one direction.</summary>
    private static bool SideBySide(PointPixels a0, PointPixels a1, PointPixels b0, PointPixels b1, double cosMax)
    {
        double ax = a1.X - a0.X, ay = a1.Y - a0.Y, bx = b1.X - b0.X, by = b1.Y - b0.Y;
        double la = Math.Sqrt((ax * ax) + (ay * ay)), lb = Math.Sqrt((bx * bx) + (by * by));
        return la > 0 && lb > 0 && ((ax * bx) + (ay * by)) >= cosMax * la * lb;
    }

    internal static double Dist2(PointPixels a, PointPixels b) => ((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>
    /// Bin where a single-shaft region breaks into two straight shafts in line (a kink or a
    /// sideways step of the centreline: a hair leaving its opening at or under another one's tip
    /// along the common hair direction), or -1. Shafts are straight over a frame, so the
    /// centreline of one shaft fits one line; a chain fits one line per part with a residual near
    /// the edge noise while one line misses it by a fraction of a shaft width.
    /// </summary>
    private static int ChainSplit(Region r, double w1, int minBins, double minBendWidths, double maxResidualWidths, bool emergeAtA)
    {
        int bins = r.Bins;
        if (bins < 2 * minBins)
        {
            return -1;
        }

        // Prefix sums over single-run bins of (b, centre) for least-squares lines on any range.
        var sn = new double[bins + 1];
        var sx = new double[bins + 1];
        var sy = new double[bins + 1];
        var sxx = new double[bins + 1];
        var sxy = new double[bins + 1];
        var syy = new double[bins + 1];
        for (int b = 0; b < bins; b++)
        {
            // Where the two shafts lie side by side the slice is wider than one shaft and its
            // centre lies between them: such slices belong to neither line.
            bool use = r.Runs[b] == 1 && !r.NearOff[b] && r.Width[b] <= ChainSingleWidthRatio * w1;
            double y = use ? r.RunCentres[b][0] : 0;
            double wgt = use ? 1 : 0;
            sn[b + 1] = sn[b] + wgt;
            sx[b + 1] = sx[b] + (wgt * b);
            sy[b + 1] = sy[b] + y;
            sxx[b + 1] = sxx[b] + (wgt * b * b);
            sxy[b + 1] = sxy[b] + (b * y);
            syy[b + 1] = syy[b] + (y * y);
        }

        double Sse(int from, int to)
        {
            double nn = sn[to] - sn[from];
            if (nn < 3)
            {
                return double.NaN;
            }

            double mx = (sx[to] - sx[from]) / nn, my = (sy[to] - sy[from]) / nn;
            double vxx = (sxx[to] - sxx[from]) - (nn * mx * mx);
            double vxy = (sxy[to] - sxy[from]) - (nn * mx * my);
            double vyy = (syy[to] - syy[from]) - (nn * my * my);
            return Math.Max(0, vxx > 0 ? vyy - (vxy * vxy / vxx) : vyy);
        }

        double total = sn[bins];
        // The ends taper and their centres wander: most bins must be clean single-run slices.
        if (total < 0.5 * bins)
        {
            return -1;
        }

        double one = Sse(0, bins);
        if (double.IsNaN(one) || Math.Sqrt(one / total) < minBendWidths * w1)
        {
            return -1;
        }

        var split = new double[bins + 1];
        double bestSse = double.MaxValue;
        for (int b = minBins; b <= bins - minBins; b++)
        {
            double a = Sse(0, b), c = Sse(b, bins);
            split[b] = double.IsNaN(a) || double.IsNaN(c) ? double.MaxValue : a + c;
            bestSse = Math.Min(bestSse, split[b]);
        }


        if (bestSse == double.MaxValue || Math.Sqrt(bestSse / total) > maxResidualWidths * w1)
        {
            return -1;
        }

        // Every split inside a side-by-side stretch fits equally well; the second shaft's opening
        // is the end of that stretch on the emergence side.
        int first = -1, last = -1;
        for (int b = minBins; b <= bins - minBins; b++)
        {
            if (split[b] <= bestSse + 1e-9)
            {
                first = first < 0 ? b : first;
                last = b;
            }
        }

        return emergeAtA ? first : last;
    }

    /// <summary>
    /// Fraction of the region's runs narrower than <paramref name="minRun"/> (working pixels):
    /// shafts show full-width runs except at their tips, ragged texture many slivers.
    /// </summary>
    private static double NarrowRunFraction(Region r, double minRun)
    {
        int all = 0, narrow = 0;
        for (int b = 0; b < r.Bins; b++)
        {
            foreach (var rw in r.RunWidths[b])
            {
                all++;
                narrow += rw < minRun ? 1 : 0;
            }
        }

        return all == 0 ? 0 : (double)narrow / all;
    }

    /// <summary>
    /// Whether the tracks' openings lie farther apart than one unit's opening (<paramref name="joinWork"/>,
    /// working pixels): only then does the region hold several units. Shafts diverging from one
    /// opening are counted by the sustained count as before.
    /// </summary>
    private static bool SeveralOpenings(Region r, List<Track> tracks, bool emergeAtA, double joinWork)
    {
        var points = tracks.Select(t => AxisPoint(r, emergeAtA ? t.OpeningIndex : r.Bins - 1 - t.OpeningIndex, t.OpeningCentre)).ToList();
        for (int i = 0; i < points.Count; i++)
        {
            for (int j = i + 1; j < points.Count; j++)
            {
                if (Dist2(points[i], points[j]) > joinWork * joinWork)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>One shaft followed slice by slice from the region's emergence end (scan indices count from that end).</summary>
    private sealed class Track
    {
        public int First;
        public int Last;
        public double Centre;
        public double Lo;
        public double Hi;
        /// <summary>Scan index since which the run this track holds has been wider than one shaft, or -1.</summary>
        public int WideSince = -1;
        public double WideCentre;
        public int OpeningIndex;
        public double OpeningCentre;
        /// <summary>Least-squares sums of (scan index, centre) over slices where the track ran alone and one shaft wide.</summary>
        public double N, Si, Sc, Sii, Sic;

        public void Fit(int i, double c)
        {
            N++;
            Si += i;
            Sc += c;
            Sii += (double)i * i;
            Sic += i * c;
        }

        /// <summary>Centre the track's own straight line predicts at scan index <paramref name="i"/>.</summary>
        public double Predict(int i)
        {
            double d = (N * Sii) - (Si * Si);
            double slope = d > 0 ? ((N * Sic) - (Si * Sc)) / d : 0;
            return (Sc - (slope * Si)) / N + (slope * i);
        }
    }

    /// <summary>
    /// Shafts of a region followed slice by slice from its emergence end: each run continues the
    /// nearest track whose last centre lies within it (one run per track first, nearest first;
    /// then tracks hidden in a merged run stay in it); a run no track continues starts a new
    /// shaft. A shaft that leaves a run wider than one shaft (shafts touching) opened where that
    /// run first widened: a unit's shafts leave one opening together, and a unit whose opening
    /// touches another unit's shaft widens it there. Runs narrower than
    /// <paramref name="minRunFraction"/> of a shaft (a shaft split by a glare streak) start
    /// nothing. Returns the tracks seen over at least <paramref name="minBins"/> slices.
    /// </summary>
    private static List<Track> Tracks(Region r, double w1, bool emergeAtA, double minRunFraction, int minBins, HairInstanceOptions o)
    {
        const double Tol = 1.5;
        const int MaxGap = 3;
        // A hand-over needs the track's own line (seen alone over half a shaft length) and a
        // sideways step of half a shaft width from it.
        int minFit = Math.Max(5, minBins / 2);
        double handOver = o.TrackHandOverShaftWidths;
        var all = new List<Track>();
        var active = new List<Track>();
        var pairs = new List<(double D, int T, int R)>();
        for (int i = 0; i < r.Bins; i++)
        {
            int b = emergeAtA ? i : r.Bins - 1 - i;
            var cs = r.RunCentres[b];
            var rw = r.RunWidths[b];
            int nr = cs.Length;
            double rawSum = 0;
            foreach (var x in rw)
            {
                rawSum += x;
            }

            // Raw run widths alias with the pixel lattice; the slice's smoothed width rescales them.
            double toSmooth = rawSum > 0 ? r.Width[b] / rawSum : 1;
            active.RemoveAll(t => i - t.Last > MaxGap);
            var runOf = new int[active.Count];
            Array.Fill(runOf, -1);
            var held = new int[nr];
            pairs.Clear();
            for (int ti = 0; ti < active.Count; ti++)
            {
                for (int ri = 0; ri < nr; ri++)
                {
                    double d = Math.Abs(active[ti].Centre - cs[ri]);
                    if (d <= (0.5 * rw[ri]) + Tol)
                    {
                        pairs.Add((d, ti, ri));
                    }
                }
            }

            pairs.Sort((a, c) => a.D.CompareTo(c.D));
            foreach (var (_, ti, ri) in pairs)
            {
                if (runOf[ti] < 0 && held[ri] == 0)
                {
                    runOf[ti] = ri;
                    held[ri]++;
                }
            }

            foreach (var (_, ti, ri) in pairs)
            {
                if (runOf[ti] < 0)
                {
                    runOf[ti] = ri;
                    held[ri]++;
                }
            }

            // New shafts, before the tracks move: a parent is a track whose last run held this one.
            var born = new List<Track>();
            for (int ri = 0; ri < nr; ri++)
            {
                if (held[ri] > 0 || rw[ri] < minRunFraction * w1)
                {
                    continue;
                }

                var t = new Track { First = i, Last = i, Centre = cs[ri], Lo = cs[ri] - (0.5 * rw[ri]), Hi = cs[ri] + (0.5 * rw[ri]), OpeningIndex = i, OpeningCentre = cs[ri] };
                foreach (var p in active)
                {
                    if (p.WideSince >= 0 && cs[ri] >= p.Lo - Tol && cs[ri] <= p.Hi + Tol)
                    {
                        t.OpeningIndex = p.WideSince;
                        t.OpeningCentre = p.WideCentre;
                        break;
                    }
                }

                born.Add(t);
            }

            for (int ti = 0; ti < active.Count; ti++)
            {
                int ri = runOf[ti];
                if (ri < 0)
                {
                    continue;
                }

                var t = active[ti];
                double lo = cs[ri] - (0.5 * rw[ri]), hi = cs[ri] + (0.5 * rw[ri]);
                bool wide = rw[ri] * toSmooth > ChainSingleWidthRatio * w1;
                if (handOver > 0 && held[ri] == 1 && !wide && t.WideSince >= 0 && t.N >= minFit && Math.Abs(cs[ri] - t.Predict(i)) > handOver * w1)
                {
                    // Out of a wide stretch one shaft width off the track's own line: the shaft
                    // ended beside another that opened where the run widened (the next unit's
                    // opening at or beside this one's tip). The track ends; the other begins.
                    t.Centre = t.Predict(t.Last);
                    var next = new Track { First = t.WideSince, OpeningIndex = t.WideSince, OpeningCentre = t.WideCentre };
                    active[ti] = next;
                    all.Add(next);
                    t = next;
                }

                // Alone in its run the track follows it; hidden with others it keeps its place.
                t.Centre = held[ri] == 1 ? cs[ri] : Math.Clamp(t.Centre, lo, hi);
                t.Lo = lo;
                t.Hi = hi;
                t.Last = i;
                if (held[ri] == 1 && !wide)
                {
                    t.Fit(i, cs[ri]);
                }

                if (wide)
                {
                    if (t.WideSince < 0)
                    {
                        t.WideSince = i;
                        t.WideCentre = cs[ri];
                    }
                }
                else
                {
                    t.WideSince = -1;
                }
            }

            foreach (var t in born)
            {
                if ((t.Hi - t.Lo) * toSmooth > ChainSingleWidthRatio * w1)
                {
                    t.WideSince = i;
                    t.WideCentre = t.Centre;
                }

                active.Add(t);
                all.Add(t);
            }
        }

        all.RemoveAll(t => t.Last - t.First + 1 < minBins);
        return all;
    }

    /// <summary>
    /// Narrowest mean width over any run of <paramref name="window"/> bins, one shaft width clear
    /// of either end (cut tips taper): where one shaft of an overlapping pair ends before the
    /// other, the region narrows to a single shaft; a single wide shaft keeps its width.
    /// </summary>
    private static double NarrowestSustainedWidth(Region r, double w1, int window)
    {
        int from = (int)Math.Ceiling(w1), to = r.Bins - (int)Math.Ceiling(w1);
        double best = double.MaxValue, sum = 0;
        for (int b = from; b < to; b++)
        {
            sum += r.Width[b];
            if (b - from >= window)
            {
                sum -= r.Width[b - window];
            }

            if (b - from >= window - 1)
            {
                best = Math.Min(best, sum / window);
            }
        }

        return best;
    }

    /// <summary>Median width over the interior bins (ends taper or are cut); 0 when empty.</summary>
    private static double InteriorMedianWidth(Region r)
    {
        int skip = r.Bins / 7;
        var widths = new List<double>();
        for (int b = skip; b < r.Bins - skip; b++)
        {
            if (r.Width[b] > 0)
            {
                widths.Add(r.Width[b]);
            }
        }

        return widths.Count > 0 ? Median(widths) : 0;
    }

    /// <summary>Root of <paramref name="i"/> in the union-find forest <paramref name="parent"/>, halving the path.</summary>
    internal static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }

    private static double Quantile(List<double> values, double q)
    {
        values.Sort();
        double pos = q * (values.Count - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(values.Count - 1, lo + 1);
        return values[lo] + ((pos - lo) * (values[hi] - values[lo]));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int c = values.Count;
        return c % 2 == 1 ? values[c / 2] : 0.5 * (values[(c / 2) - 1] + values[c / 2]);
    }

    /// <summary>Width class of a shaft width (DOMAIN.md: terminal &gt;= 60 um, vellus &lt; 30 um by default); Unknown without a scale. Every detector classes widths with it.</summary>
    internal static HairWidthClass WidthClassOf(double? widthMicrometres, HairInstanceOptions o) =>
        widthMicrometres is not { } w ? HairWidthClass.Unknown
        : w < o.VellusMaxWidthMicrometres ? HairWidthClass.Vellus
        : w >= o.TerminalMinWidthMicrometres ? HairWidthClass.Terminal
        : HairWidthClass.Intermediate;

    internal static bool IsSet(Mat mask8, PointPixels p)
    {
        int x = (int)Math.Round(p.X), y = (int)Math.Round(p.Y);
        if (x < 0 || y < 0 || x >= mask8.Cols || y >= mask8.Rows)
        {
            return false;
        }

        return mask8.At<byte>(y, x) != 0;
    }

    /// <summary>Slices one region across its principal axis into 1-pixel bins.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Region Slice(int[] xs, int[] ys, bool[] offs, int start, int count)
    {
        double cx = 0, cy = 0;
        for (int i = start; i < start + count; i++)
        {
            cx += xs[i];
            cy += ys[i];
        }

        cx /= count;
        cy /= count;
        double sxx = 0, syy = 0, sxy = 0;
        for (int i = start; i < start + count; i++)
        {
            double dx = xs[i] - cx, dy = ys[i] - cy;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }

        double angle = 0.5 * Math.Atan2(2 * sxy, sxx - syy);
        double ux = Math.Cos(angle), uy = Math.Sin(angle);
        var t = new double[count];
        var s = new double[count];
        double tMin = double.MaxValue, tMax = double.MinValue;
        for (int i = 0; i < count; i++)
        {
            double dx = xs[start + i] - cx, dy = ys[start + i] - cy;
            t[i] = (dx * ux) + (dy * uy);
            s[i] = (-dx * uy) + (dy * ux);
            tMin = Math.Min(tMin, t[i]);
            tMax = Math.Max(tMax, t[i]);
        }

        int bins = Math.Max(1, (int)Math.Floor(tMax - tMin) + 1);
        var binOf = new int[count];
        var binCount = new int[bins];
        var nearOff = new bool[bins];
        for (int i = 0; i < count; i++)
        {
            int b = Math.Min(bins - 1, (int)(t[i] - tMin));
            binOf[i] = b;
            binCount[b]++;
            nearOff[b] |= offs[start + i];
        }

        var binStart = new int[bins + 1];
        for (int b = 0; b < bins; b++)
        {
            binStart[b + 1] = binStart[b] + binCount[b];
        }

        var sorted = new double[count];
        var pos = (int[])binStart.Clone();
        for (int i = 0; i < count; i++)
        {
            sorted[pos[binOf[i]]++] = s[i];
        }

        // Pixel centres fall on a rotated lattice, so 1-pixel bins alternately catch one or two
        // lattice lines (up to 2x at 45 degrees): widths are averaged over 5 bins.
        var smoothWidth = new double[bins];
        for (int b = 0; b < bins; b++)
        {
            int lo = Math.Max(0, b - 2), hi = Math.Min(bins - 1, b + 2);
            double sum = 0;
            for (int j = lo; j <= hi; j++)
            {
                sum += binCount[j];
            }

            smoothWidth[b] = sum / (hi - lo + 1);
        }

        var runs = new int[bins];
        var centres = new double[bins][];
        var singleWidths = new List<double>();
        var centreList = new List<double>(4);
        var widthList = new List<double>(4);
        var widths = new double[bins][];
        for (int b = 0; b < bins; b++)
        {
            int len = binCount[b];
            if (len == 0)
            {
                centres[b] = [];
                widths[b] = [];
                continue;
            }

            Array.Sort(sorted, binStart[b], len);
            centreList.Clear();
            widthList.Clear();
            int runStart = binStart[b];
            for (int j = binStart[b] + 1; j <= binStart[b] + len; j++)
            {
                // Rotated pixel centres lie up to sqrt(2) apart inside one run; a real gap between
                // shafts is wider, and a run narrower than MinRun pixels is a ragged edge, not a shaft.
                if (j == binStart[b] + len || sorted[j] - sorted[j - 1] > GapPixels)
                {
                    if (j - runStart >= MinRunPixels || (j == binStart[b] + len && centreList.Count == 0))
                    {
                        centreList.Add(0.5 * (sorted[runStart] + sorted[j - 1]));
                        widthList.Add(j - runStart);
                    }

                    runStart = j;
                }
            }

            runs[b] = centreList.Count;
            centres[b] = [.. centreList];
            widths[b] = [.. widthList];
            if (runs[b] == 1)
            {
                singleWidths.Add(smoothWidth[b]);
            }
        }

        var region = new Region
        {
            Cx = cx,
            Cy = cy,
            Ux = ux,
            Uy = uy,
            TMin = tMin,
            Bins = bins,
            Width = smoothWidth,
            Runs = runs,
            RunCentres = centres,
            RunWidths = widths,
            NearOff = nearOff,
            SingleBins = singleWidths.Count,
        };
        if (singleWidths.Count > 0)
        {
            // Interior single-run slices only: the tapered ends would bias the width low.
            int trim = singleWidths.Count / 7;
            var interior = singleWidths.Skip(trim).Take(singleWidths.Count - (2 * trim)).ToList();
            region.SingleWidthMedian = Median(interior.Count > 0 ? interior : singleWidths);
        }

        return region;
    }

    private static PointPixels AxisPoint(Region r, double bin, double sOff) =>
        new(r.Cx + (r.Ux * (r.TMin + bin + 0.5)) - (r.Uy * sOff), r.Cy + (r.Uy * (r.TMin + bin + 0.5)) + (r.Ux * sOff));

    /// <summary>Centre of the region over bins [from, to): mean run centre.</summary>
    private static PointPixels EndPoint(Region r, int from, int to)
    {
        double sum = 0, bsum = 0;
        int c = 0;
        for (int b = from; b < to; b++)
        {
            foreach (var sc in r.RunCentres[b])
            {
                sum += sc;
                bsum += b;
                c++;
            }
        }

        return c == 0 ? AxisPoint(r, 0.5 * (from + to), 0) : AxisPoint(r, bsum / c, sum / c);
    }

    /// <summary>Tip points: run centres of the slice nearest the free end that shows all shafts apart.</summary>
    private static List<PointPixels> TipPoints(Region r, int[] shafts, int count, bool emergeAtA)
    {
        var tips = new List<PointPixels>();
        if (count < 2)
        {
            return tips;
        }

        for (int i = 0; i < r.Bins; i++)
        {
            int b = emergeAtA ? r.Bins - 1 - i : i;
            if (r.Runs[b] == count && shafts[b] == count && r.RunCentres[b].Length == count)
            {
                foreach (var sc in r.RunCentres[b])
                {
                    tips.Add(AxisPoint(r, b, sc));
                }

                break;
            }
        }

        return tips;
    }

    /// <summary>
    /// How much of its contrast a shaft keeps at one end: the colour distance (BGR) from the skin
    /// of the shaft's last 0.6 widths (its central half) over that of the shaft one to two widths
    /// further in, the skin being read beside the strip beyond the end (two to three widths to
    /// either side). A hair leaves the skin translucent and reaches its full contrast over about
    /// half a width (the generator's fade; a pale shaft's sub-surface part and its shadow are too
    /// faint to read), while a cut tip is as opaque as the shaft. On light and colour-contrast
    /// frames of the mixed preset (seeds 701-830, 1101-1224) the opening kept 0.83 (median) and
    /// the tip 0.97; the lower end was the opening for 84% of the hairs, the darker sub-surface
    /// end for 64%. Distances of strip means, so pixel noise averages out. NaN when too little
    /// shaft or skin can be seen.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double EndFade(HairSegmentation seg, PointPixels end, double dx, double dy, double probe, double w1)
    {
        double q = 0.25 * w1;
        var side1 = Strip(seg, end, dx, dy, 1, probe, 2 * w1, 3 * w1, false);
        var side2 = Strip(seg, end, dx, dy, 1, probe, -3 * w1, -2 * w1, false);
        if (side1.N + side2.N < 5)
        {
            return double.NaN;
        }

        var skin = new double[3];
        for (int c = 0; c < 3; c++)
        {
            skin[c] = ((side1.Bgr[c] * side1.N) + (side2.Bgr[c] * side2.N)) / (side1.N + side2.N);
        }

        var atEnd = Strip(seg, end, -dx, -dy, 0, 0.6 * w1, -q, q, true);
        var inside = Strip(seg, end, -dx, -dy, w1, 2 * w1, -q, q, true);
        if (atEnd.N < 3 || inside.N < 3)
        {
            return double.NaN;
        }

        double full = ColourDistance(inside.Bgr, skin);
        return full < 1 ? double.NaN : ColourDistance(atEnd.Bgr, skin) / full;
    }

    private static double ColourDistance(double[] a, double[] b)
    {
        double s = 0;
        for (int c = 0; c < 3; c++)
        {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }

        return Math.Sqrt(s);
    }

    /// <summary>
    /// Mean BGR of the pixels (hair or not, as <paramref name="hairPixels"/> says) in the
    /// analysable area of a strip from <paramref name="origin"/> along (dx, dy) over
    /// [<paramref name="alongFrom"/>, <paramref name="alongTo"/>] and across over
    /// [<paramref name="acrossFrom"/>, <paramref name="acrossTo"/>] (working pixels), and their count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (double[] Bgr, int N) Strip(HairSegmentation seg, PointPixels origin, double dx, double dy, double alongFrom, double alongTo, double acrossFrom, double acrossTo, bool hairPixels)
    {
        Mat bgr = seg.WorkingBgr, hair = seg.HairMask, ana = seg.Analysable;
        var acc = new double[3];
        int n = 0;
        for (double d = alongFrom; d <= alongTo; d += 1)
        {
            for (double lat = acrossFrom; lat <= acrossTo; lat += 1)
            {
                int x = (int)Math.Round(origin.X + (dx * d) - (dy * lat)), y = (int)Math.Round(origin.Y + (dy * d) + (dx * lat));
                if (x < 0 || y < 0 || x >= bgr.Cols || y >= bgr.Rows || MatPixels.Row(ana, y)[x] == 0
                    || (MatPixels.Row(hair, y)[x] != 0) != hairPixels)
                {
                    continue;
                }

                byte* p = MatPixels.Row(bgr, y) + (3 * x);
                acc[0] += p[0];
                acc[1] += p[1];
                acc[2] += p[2];
                n++;
            }
        }

        if (n > 0)
        {
            acc[0] /= n;
            acc[1] /= n;
            acc[2] /= n;
        }

        return (acc, n);
    }

    /// <summary>
    /// Mean darkness of non-hair skin just beyond a shaft end along its axis, against the skin
    /// beside that strip (two to three shaft widths to either side): the sub-surface shaft under
    /// the skin shows as a blue-grey shadow on the emergence side. The reference is local because
    /// vignetting and corner defocus darken the rim of the field well beyond the shadow's
    /// contrast (against the frame's median skin, ends near the rim all read as openings).
    /// NaN when too little beyond the end or beside it can be seen.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double BeyondDarkness(HairSegmentation seg, PointPixels end, double dx, double dy, double probe, double w1)
    {
        Mat grey = seg.Grey, hair = seg.HairMask, ana = seg.Analysable;
        double sum = 0, refSum = 0;
        int c = 0, refCount = 0;
        double half = 0.5 * w1;
        for (double d = 2; d <= probe; d += 1)
        {
            for (int lat = -6; lat <= 6; lat++)
            {
                bool inner = lat is >= -1 and <= 1;
                if (!inner && Math.Abs(lat) < 4)
                {
                    continue;
                }

                double px = end.X + (dx * d) - (dy * lat * half);
                double py = end.Y + (dy * d) + (dx * lat * half);
                int x = (int)Math.Round(px), y = (int)Math.Round(py);
                if (x < 0 || y < 0 || x >= grey.Cols || y >= grey.Rows)
                {
                    continue;
                }

                if (MatPixels.Row(ana, y)[x] == 0 || MatPixels.Row(hair, y)[x] != 0)
                {
                    continue;
                }

                byte g = MatPixels.Row(grey, y)[x];
                if (inner)
                {
                    sum += g;
                    c++;
                }
                else
                {
                    refSum += g;
                    refCount++;
                }
            }
        }

        return c < 5 || refCount < 5 ? double.NaN : (refSum / refCount) - (sum / c);
    }
}
