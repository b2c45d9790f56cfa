using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>A rendered frame still in memory: 8-bit BGR pixels (owned: dispose) and the truth.</summary>
internal sealed class SyntheticRendering : IDisposable
{
    internal SyntheticRendering(Mat bgr, SyntheticGroundTruth truth)
    {
        Bgr = bgr;
        Truth = truth;
    }

    internal Mat Bgr { get; }

    internal SyntheticGroundTruth Truth { get; }

    /// <summary>Hands the pixels over as a ScalpImage (the rendering must not be disposed afterwards
    /// for the pixels' sake: the ScalpImage owns a clone).</summary>
    internal ScalpImage ToScalpImage() => ScalpImage.FromBgr(Bgr.Clone(), ImageFormat.Png);

    public void Dispose() => Bgr.Dispose();
}

/// <summary>
/// Synthetic 70x trichoscopy frames of shaved scalp with exact ground truth: every hair's
/// emergence, tip, length and width, its follicular unit, the region label of every pixel, and
/// the counts and densities under the documented counting rule (see <see cref="SyntheticGroundTruth"/>).
/// Deterministic for (spec, seed). Defaults and their sources are on <see cref="SyntheticTrichoscopySpec"/>.
/// </summary>
public static class SyntheticTrichoscopyGenerator
{
    /// <summary>Renders one frame and encodes it (PNG, or JPEG when the spec sets a quality).</summary>
    /// <exception cref="ArgumentException">The spec is invalid (the message lists why).</exception>
    public static SyntheticFrame Generate(SyntheticTrichoscopySpec spec, int seed, CancellationToken cancellationToken = default)
    {
        using var rendering = Render(spec, seed, cancellationToken);
        return Encode(spec, rendering);
    }

    /// <summary>
    /// Renders the same scalp twice: before, and after <paramref name="change"/> added or removed
    /// units and hairs inside its area. Skin, noise, overlays and every untouched hair are
    /// pixel-identical outside the changed hairs' footprints; the pair's truth states the exact change.
    /// </summary>
    /// <exception cref="ArgumentException">The spec or change is invalid.</exception>
    public static SyntheticPair GeneratePair(SyntheticTrichoscopySpec spec, int seed, ChangeSpec change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ThrowIfInvalid(spec);
        var changeErrors = change.Validate();
        if (changeErrors.Count > 0)
        {
            throw new ArgumentException("Invalid change: " + string.Join(" ", changeErrors), nameof(change));
        }

        var transform = change.AfterTransform;
        int w = spec.WidthPixels, h = spec.HeightPixels;
        var sceneBefore = SyntheticScene.Create(spec, seed);
        var sceneAfter = transform.IsIdentity ? sceneBefore : SyntheticScene.Create(spec, seed, p => transform.Invert(p, w, h));

        // Counted in both frames: the change and its truth use the field the two frames share.
        bool Common(PointPixels p) => sceneBefore.Analysable(p) && sceneAfter.Analysable(transform.Apply(p, w, h));

        var margin = WorldMarginPixels(spec, transform);
        var before = SyntheticLayout.Create(spec, seed, cancellationToken, margin);
        var after = before.ApplyChange(spec, seed, change, Common);
        cancellationToken.ThrowIfCancellationRequested();

        // Both frames are cut from one rendered scalp ("world") that holds the after frame's field too.
        var world = spec with
        {
            WidthPixels = w + (2 * margin),
            HeightPixels = h + (2 * margin),
            Overlays = SyntheticOverlays.None,
            Regions = [.. spec.Regions.Select(r => r with { Shape = r.Shape.Translated(margin, margin) })],
        };
        var worldScene = SyntheticScene.Create(world, seed);
        PointPixels ToWorld(PointPixels p) => new(p.X + margin, p.Y + margin);
        var turn = transform.RotationDegrees * Math.PI / 180.0;

        using var renderedBefore = RenderFromWorld(spec, world, seed, worldScene, sceneBefore, before, before.Transformed(ToWorld, 0), margin, SyntheticRigidTransform.Identity, cancellationToken);
        using var renderedAfter = RenderFromWorld(
            spec, world, seed, worldScene, sceneAfter, transform.IsIdentity ? after : after.Transformed(p => transform.Apply(p, w, h), turn), after.Transformed(ToWorld, 0), margin, transform, cancellationToken);
        var changeTruth = DescribeChange(spec, sceneBefore, before, after, change, Common);
        return new SyntheticPair(Encode(spec, renderedBefore), Encode(spec, renderedAfter), changeTruth);
    }

    /// <summary>Extra border around the frame so a moved after frame still sees rendered scalp.</summary>
    private static int WorldMarginPixels(SyntheticTrichoscopySpec spec, SyntheticRigidTransform transform)
    {
        if (transform.IsIdentity)
        {
            return 0;
        }

        int w = spec.WidthPixels, h = spec.HeightPixels;
        var corners = new[] { new PointPixels(0, 0), new PointPixels(w, 0), new PointPixels(0, h), new PointPixels(w, h) }
            .Select(c => transform.Invert(c, w, h)).ToList();
        var reach = Math.Max(
            Math.Max(-corners.Min(c => c.X), corners.Max(c => c.X) - w),
            Math.Max(-corners.Min(c => c.Y), corners.Max(c => c.Y) - h));
        return (int)Math.Ceiling(Math.Max(0, reach)) + 2;
    }

    /// <summary>
    /// Renders the world scene and cuts one frame from it: a plain crop for the before frame, an
    /// affine warp for a moved after frame. Optics, noise and overlays are then added per frame.
    /// </summary>
    private static SyntheticRendering RenderFromWorld(
        SyntheticTrichoscopySpec spec, SyntheticTrichoscopySpec world, int seed, SyntheticScene worldScene, SyntheticScene frameScene,
        SyntheticLayout frameLayout, SyntheticLayout worldLayout, int margin, SyntheticRigidTransform transform, CancellationToken ct)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        // Fragments lie on the skin, so they move with it: planned in before-frame pixels like the hairs.
        var fragments = SyntheticRenderer.LooseFragments(spec, seed);
        var worldFragments = fragments.Select(f => f with { Emergence = new PointPixels(f.Emergence.X + margin, f.Emergence.Y + margin) }).ToList();
        var turn = transform.RotationDegrees * Math.PI / 180.0;
        var frameFragments = transform.IsIdentity
            ? fragments
            : [.. fragments.Select(f => f with { Emergence = transform.Apply(f.Emergence, w, h), AngleRadians = f.AngleRadians + turn })];
        var painted = SyntheticRenderer.RenderScene(world, seed, worldScene, worldLayout, worldFragments, ct);
        using var worldCanvas = painted.Canvas;
        using var frame = new Mat();
        byte[] mask;
        if (transform.IsIdentity)
        {
            using (var roi = new Mat(worldCanvas, new Rect(margin, margin, w, h)))
            {
                roi.CopyTo(frame);
            }

            mask = new byte[w * h];
            for (var y = 0; y < h; y++)
            {
                Array.Copy(painted.HairCoverageMask, ((y + margin) * world.WidthPixels) + margin, mask, y * w, w);
            }
        }
        else
        {
            // Destination-to-source map in OpenCV pixel-centre coordinates (ours minus 0.5).
            var (cos, sin) = transform.CosSin();
            double cx = w / 2.0, cy = h / 2.0;
            var ox = 0.5 - cx - transform.ShiftXPixels;
            var oy = 0.5 - cy - transform.ShiftYPixels;
            using var map = new Mat(2, 3, MatType.CV_64FC1);
            map.Set(0, 0, cos);
            map.Set(0, 1, sin);
            map.Set(0, 2, (cos * ox) + (sin * oy) + cx + margin - 0.5);
            map.Set(1, 0, -sin);
            map.Set(1, 1, cos);
            map.Set(1, 2, (-sin * ox) + (cos * oy) + cy + margin - 0.5);
            var flags = InterpolationFlags.Linear | InterpolationFlags.WarpInverseMap;
            Cv2.WarpAffine(worldCanvas, frame, map, new Size(w, h), flags, BorderTypes.Replicate);
            using var worldMask = new Mat(world.HeightPixels, world.WidthPixels, MatType.CV_8UC1);
            worldMask.SetArray(painted.HairCoverageMask);
            using var frameMask = new Mat();
            Cv2.WarpAffine(worldMask, frameMask, map, new Size(w, h), InterpolationFlags.Nearest | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
            frameMask.GetArray(out mask);
        }

        var output = SyntheticRenderer.FinishFrame(spec, seed, frame, mask, frameScene.Overlays, ct);
        try
        {
            return new SyntheticRendering(output.Bgr, BuildTruth(spec, seed, frameScene, frameLayout, frameFragments, output));
        }
        catch
        {
            output.Bgr.Dispose();
            throw;
        }
    }

    /// <summary>Renders one frame without encoding it (for in-process tests and benchmarks).</summary>
    internal static SyntheticRendering Render(SyntheticTrichoscopySpec spec, int seed, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(spec);
        var scene = SyntheticScene.Create(spec, seed);
        var layout = SyntheticLayout.Create(spec, seed, cancellationToken);
        return RenderLayout(spec, seed, scene, layout, cancellationToken);
    }

    /// <summary>Renders one frame as a ScalpImage (caller disposes it) plus its truth.</summary>
    internal static (ScalpImage Image, SyntheticGroundTruth Truth) RenderScalpImage(SyntheticTrichoscopySpec spec, int seed, CancellationToken cancellationToken = default)
    {
        using var rendering = Render(spec, seed, cancellationToken);
        return (rendering.ToScalpImage(), rendering.Truth);
    }

    private static void ThrowIfInvalid(SyntheticTrichoscopySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = spec.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid synthetic spec: " + string.Join(" ", errors), nameof(spec));
        }
    }

    private static SyntheticFrame Encode(SyntheticTrichoscopySpec spec, SyntheticRendering rendering) =>
        spec.JpegQuality is { } q
            ? new SyntheticFrame(rendering.Bgr.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, q)), ".jpg", rendering.Truth)
            : new SyntheticFrame(rendering.Bgr.ImEncode(".png"), ".png", rendering.Truth);

    private static SyntheticRendering RenderLayout(SyntheticTrichoscopySpec spec, int seed, SyntheticScene scene, SyntheticLayout layout, CancellationToken ct)
    {
        var output = SyntheticRenderer.Render(spec, seed, scene, layout, ct);
        try
        {
            var truth = BuildTruth(spec, seed, scene, layout, SyntheticRenderer.LooseFragments(spec, seed), output);
            return new SyntheticRendering(output.Bgr, truth);
        }
        catch
        {
            output.Bgr.Dispose();
            throw;
        }
    }

    /// <summary>Visible length: centreline length on analysable pixels, plus edge samples so a shaft
    /// whose side alone shows still counts as visible. Cut when any part of the shaft lies outside the
    /// frame or on an OffScalp pixel.</summary>
    private static (double VisibleLengthPixels, bool Visible, bool Cut) Visibility(SyntheticScene scene, PlannedHair hair)
    {
        var dx = Math.Cos(hair.AngleRadians);
        var dy = Math.Sin(hair.AngleRadians);
        var hw = hair.WidthPixels / 2.0;
        var visible = false;
        var cut = false;
        var steps = Math.Max(2, (int)Math.Ceiling(hair.LengthPixels));
        var step = hair.LengthPixels / steps;
        var visibleLength = 0.0;
        for (var s = 0; s <= steps; s++)
        {
            var u = hair.LengthPixels * s / steps;
            foreach (var v in new[] { -hw, 0.0, hw })
            {
                var x = hair.Emergence.X + (u * dx) - (v * dy);
                var y = hair.Emergence.Y + (u * dy) + (v * dx);
                if (scene.LabelAt(new PointPixels(x, y)) == RegionClass.OffScalp)
                {
                    cut = true;
                }
                else
                {
                    visible = true;
                    if (v == 0.0 && s < steps)
                    {
                        visibleLength += step;
                    }
                }
            }
        }

        return (visibleLength, visible, cut);
    }

    private static SyntheticGroundTruth BuildTruth(
        SyntheticTrichoscopySpec spec, int seed, SyntheticScene scene, SyntheticLayout layout, IReadOnlyList<PlannedHair> fragments, SyntheticRenderer.Output output)
    {
        var ppm = spec.PixelsPerMillimetre;
        var hairs = new List<HairInstance>();
        var details = new List<SyntheticHairTruth>();
        var units = new List<FollicularUnit>();
        var unitTracks = new List<int>();
        var countedUnits = new List<PlannedUnit>();
        var countedHairs = new List<PlannedHair>();
        foreach (var unit in layout.Units)
        {
            var ids = new List<int>();
            foreach (var hair in unit.Hairs)
            {
                var (visibleLength, visible, cut) = Visibility(scene, hair);
                if (!visible)
                {
                    continue;
                }

                var id = hairs.Count;
                var region = scene.LabelAt(hair.Emergence);
                var counted = region != RegionClass.OffScalp;
                if (counted)
                {
                    countedHairs.Add(hair);
                }

                // Truth hairs carry the edge rule's flag too (emergence on scalp), so downstream counts
                // (regions, plan: CountingRule) treat them as the detector's counted hairs.
                hairs.Add(new HairInstance(id, hair.Emergence, hair.Tip, hair.LengthPixels, hair.WidthPixels, units.Count, cut) { CountedInDensity = counted });
                details.Add(new SyntheticHairTruth(id, hair.TrackId, hair.Kind, hair.WidthMicrometres, hair.LengthPixels / ppm, counted, region, HairColourOf(spec, hair, output), visibleLength));
                ids.Add(id);
            }

            if (ids.Count == 0)
            {
                continue;
            }

            units.Add(new FollicularUnit(units.Count, unit.Centre, ids));
            unitTracks.Add(unit.TrackId);
            if (scene.Analysable(unit.Centre))
            {
                countedUnits.Add(unit);
            }
        }

        var hairMask = output.HairCoverageMask;
        long analysable = 0;
        var areaByClass = new long[6];
        for (var i = 0; i < scene.Labels.Length; i++)
        {
            areaByClass[scene.Labels[i]]++;
            if (scene.Labels[i] == (byte)RegionClass.OffScalp)
            {
                hairMask[i] = 0;
            }
            else
            {
                analysable++;
            }
        }

        var regions = new List<SyntheticRegionTruth>();
        foreach (var cls in new[] { RegionClass.HairBearing, RegionClass.Thinning, RegionClass.Hairless, RegionClass.Scar })
        {
            var area = areaByClass[(int)cls];
            if (area == 0)
            {
                continue;
            }

            var inClass = countedHairs.Where(hh => scene.LabelAt(hh.Emergence) == cls).ToList();
            var unitCount = countedUnits.Count(u => scene.LabelAt(u.Centre) == cls);
            var areaMm2 = area / (ppm * ppm);
            regions.Add(new SyntheticRegionTruth(
                cls,
                area,
                areaMm2,
                inClass.Count,
                unitCount,
                inClass.Count / (areaMm2 / 100.0),
                unitCount / (areaMm2 / 100.0),
                inClass.Count == 0 ? 0 : inClass.Count(hh => hh.WidthMicrometres < 30) / (double)inClass.Count));
        }

        var skinLab = output.SkinLab;
        var ita = SyntheticColour.ItaDegrees(skinLab);
        return new SyntheticGroundTruth
        {
            WidthPixels = spec.WidthPixels,
            HeightPixels = spec.HeightPixels,
            PixelsPerMillimetre = ppm,
            Seed = seed,
            Hairs = hairs,
            HairDetails = details,
            FollicularUnits = units,
            FollicularUnitTrackIds = unitTracks,
            SkinLab = skinLab,
            SceneSkinLab = output.SkinLabUnquantised,
            HairLab = output.HairLab,
            SkinItaDegrees = ita,
            SkinItaBand = SyntheticColour.Band(ita),
            RegionLabels = (byte[])scene.Labels.Clone(),
            HairMask = hairMask,
            Overlays = scene.OverlayTruth,
            LooseFragments = [.. fragments.Select(f => new SyntheticFragmentTruth(f.Emergence, f.Tip, f.WidthPixels))],
            ScaleBar = scene.ScaleBar,
            AnalysableHairCount = countedHairs.Count,
            AnalysableFollicularUnitCount = countedUnits.Count,
            AnalysableAreaPixels = analysable,
            Regions = regions,
        };
    }

    private static LabColour HairColourOf(SyntheticTrichoscopySpec spec, PlannedHair hair, SyntheticRenderer.Output output) =>
        SyntheticRenderer.AsRendered(spec, SyntheticRenderer.ShaftLab(hair, output.HairLabUnquantised, output.SkinLabUnquantised));

    private static SyntheticChangeTruth DescribeChange(
        SyntheticTrichoscopySpec spec, SyntheticScene scene, SyntheticLayout before, SyntheticLayout after, ChangeSpec change, Func<PointPixels, bool> common)
    {
        var ppm = spec.PixelsPerMillimetre;
        long inside = 0, outside = 0;
        for (var y = 0; y < scene.Height; y++)
        {
            for (var x = 0; x < scene.Width; x++)
            {
                var p = new PointPixels(x + 0.5, y + 0.5);
                if (!common(p))
                {
                    continue;
                }

                if (change.Area.Contains(p))
                {
                    inside++;
                }
                else
                {
                    outside++;
                }
            }
        }

        SyntheticCountChange Count(Func<PointPixels, bool> where, long area) => new(
            area,
            area / (ppm * ppm) / 100.0,
            before.Hairs.Count(h => common(h.Emergence) && where(h.Emergence)),
            after.Hairs.Count(h => common(h.Emergence) && where(h.Emergence)),
            before.Units.Count(u => common(u.Centre) && where(u.Centre)),
            after.Units.Count(u => common(u.Centre) && where(u.Centre)));

        var beforeHairs = before.Hairs.Select(h => h.TrackId).ToHashSet();
        var afterHairs = after.Hairs.Select(h => h.TrackId).ToHashSet();
        var beforeUnits = before.Units.Select(u => u.TrackId).ToHashSet();
        var afterUnits = after.Units.Select(u => u.TrackId).ToHashSet();
        return new SyntheticChangeTruth(
            Count(p => change.Area.Contains(p), inside),
            Count(p => !change.Area.Contains(p), outside),
            Count(_ => true, inside + outside),
            [.. afterHairs.Except(beforeHairs).Order()],
            [.. beforeHairs.Except(afterHairs).Order()],
            [.. afterUnits.Except(beforeUnits).Order()],
            [.. beforeUnits.Except(afterUnits).Order()],
            change.AfterTransform);
    }
}
