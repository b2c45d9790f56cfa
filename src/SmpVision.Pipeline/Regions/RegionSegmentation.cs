using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>
/// Region map of a trichoscopy frame: hair-bearing, thinning, hairless, scar and off-scalp.
/// Measurements and rules (defaults and sources on <see cref="RegionOptions"/>):
/// <list type="bullet">
/// <item>Scars first: hair-free, smooth (local L* texture under 0.75 of normal skin) and
/// off-colour (CIE76 &gt;= 6 against a robust quadratic fit of the frame's skin colour, so that
/// lighting and vignetting are not scars), grown by colour hysteresis, shape-classified into
/// <see cref="ScarKind"/> (docs/DOMAIN-SOURCES.md, Scars). Scar area is excluded from the density field.</item>
/// <item>Punctate (FUE punch) scars, with a scale: round off-colour discs of 0.5-1.5 mm without
/// follicles inside, smooth on fine texture, which shafts of neighbouring hairs may cross; two
/// or more per frame, or one far off-colour (<see cref="PunctateDiscs"/>).</item>
/// <item>Local density: Gaussian kernel density of FU centres (or hair emergence points) over
/// the analysable, non-scar mask (normalised convolution, so frame and overlay edges do not read
/// as loss); the kernel holds ~25 follicles at the reference (20% Poisson error, under the 22%
/// perceivable loss, docs/DOMAIN-SOURCES.md), at least 0.5 mm sigma.</item>
/// <item>Reference: given by the caller (e.g. the occipital frame; Rakowska 2009, docs/DOMAIN-SOURCES.md:
/// the occiput is the patient's own reference), else the frame's own hair-bearing density
/// (the settled mean of the smoothed field over its dense part, estimated again without the
/// hairless patches), else a population fallback (Tsai 2002).</item>
/// <item>Hairless first: a follicle-free disc of 2.5 local spacings (the density of the scalp
/// around it, so thinning gaps are not bald; rare by chance even in thinning scalp) where the
/// field is below 0.7 of the reference (scar cells are never hair-free scalp), extended by
/// 1-spacing discs so that the edge follows the last follicles rather than the blurred field,
/// then moved in by 0.5 spacings (the Poisson gap between the true edge and the first
/// follicles).</item>
/// <item>Thinning: the density field recomputed over the scalp without scars and hairless
/// patches (no thinning halo around a bald patch) below 78% of the reference.</item>
/// </list>
/// Metrics per region come from <see cref="RegionExtraction"/>.
/// </summary>
internal static class RegionSegmentation
{
    /// <summary>Cells per length scale on the working grids: fine enough that region edges are
    /// placed to a fraction of a follicle spacing while the grids stay small.</summary>
    private const double CellsPerScale = 8.0;

    /// <summary>
    /// Runs the region stage at the working scale (<see cref="RegionOptions.WorkingMicrometresPerPixel"/>,
    /// see <see cref="RegionWorkingScale"/>); the map is in frame pixels. Inputs are not modified
    /// or disposed.
    /// </summary>
    /// <returns>The region map (dispose it).</returns>
    internal static RegionMap Run(
        ScalpImage image,
        Mat analysableMask,
        Mat hairMask,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        Scale? scale,
        RegionOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(analysableMask);
        ArgumentNullException.ThrowIfNull(hairMask);
        ArgumentNullException.ThrowIfNull(hairs);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(options);
        RegionExtraction.ThrowIfInvalid(options);
        RegionExtraction.CheckGeometry(image, analysableMask, nameof(analysableMask));
        RegionExtraction.CheckGeometry(image, hairMask, nameof(hairMask));
        var factor = RegionWorkingScale.Factor(image.WidthPixels, image.HeightPixels, scale, options);
        if (factor == 1)
        {
            return RunAtWorkingScale(image, analysableMask, hairMask, hairs, units, scale, options, null, ct);
        }

        ct.ThrowIfCancellationRequested();
        using var small = RegionWorkingScale.Reduce(image, analysableMask, hairMask, hairs, units, scale!, options, factor);
        // The enlarged map owns the working-scale one.
        return RegionWorkingScale.Enlarge(
            RunAtWorkingScale(small.Image, small.AnalysableMask, small.HairMask, small.Hairs, small.Units, small.Scale, small.Options, new FrameColourSource(image.Bgr, hairMask, analysableMask, factor), ct),
            analysableMask,
            factor,
            scale!);
    }

    /// <summary>The region stage on pixels at the working scale; colours from <paramref name="frameColours"/> when given.</summary>
    private static RegionMap RunAtWorkingScale(
        ScalpImage image,
        Mat analysableMask,
        Mat hairMask,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        Scale? scale,
        RegionOptions options,
        FrameColourSource? frameColours,
        CancellationToken ct)
    {
        // Arguments were checked by Run; the reduced inputs are made consistent by RegionWorkingScale.
        ct.ThrowIfCancellationRequested();

        var warnings = new List<PipelineWarning>();
        var width = image.WidthPixels;
        var height = image.HeightPixels;
        using var analysable = Binarise(analysableMask);
        using var hair = Binarise(hairMask);
        Cv2.BitwiseAnd(hair, analysable, hair);
        long analysablePixels = Cv2.CountNonZero(analysable);


        // Scars first: they have no follicles by definition, so their area must not dilute the
        // density of the scalp around them.
        using var scarMask = options.DetectScars
            ? ScarMask(image, analysable, hair, hairs, units, scale, options, ct)
            : new Mat(analysable.Size(), MatType.CV_8UC1, Scalar.All(0));
        using var scalp = new Mat();
        using (var notScar = new Mat())
        {
            Cv2.BitwiseNot(scarMask, notScar);
            Cv2.BitwiseAnd(analysable, notScar, scalp);
        }

        var scalpPixels = Cv2.CountNonZero(scalp);

        ct.ThrowIfCancellationRequested();

        // Follicles: FU centres (or hair emergence points) inside the analysable area.
        var useUnits = options.DensityFromFollicularUnits && units.Count > 0;
        var follicles = (useUnits ? units.Select(u => u.Centre) : hairs.Select(h => h.Emergence))
            .Where(p => Inside(scalp, p)).ToList();
        var basis = useUnits ? "follicular units" : "hairs";

        // Reference density (follicles per px^2): given, else in-image, else fallback.
        double? reference = null;
        var referenceSource = "none";
        if (options.ReferenceFolliclesPerSquareCentimetre is { } refCm2)
        {
            if (scale is not null)
            {
                reference = refCm2 / 100.0 * scale.SquareMillimetresPerPixel;
                referenceSource = "given";
            }
            else
            {
                warnings.Add(new PipelineWarning("reference-needs-scale", "A reference density per cm2 was given but the image has no scale; it cannot be used."));
            }
        }

        if (reference is null && follicles.Count >= options.MinFolliclesForInImageReference && scalpPixels > 0)
        {
            // Two passes: the kernel is sized from the frame's mean density, then from the reference.
            var mean = follicles.Count / (double)scalpPixels;
            var first = InImageReference(scalp, follicles, SigmaPixels(mean, scale, options, width, height), options, ct);
            reference = first is null ? null : InImageReference(scalp, follicles, SigmaPixels(first.Value, scale, options, width, height), options, ct);
            referenceSource = "in-image";
            if (reference is { } measured && ReferenceFloor(scale, useUnits, options) is { } floor0 && measured < floor0)
            {
                reference = floor0;
                warnings.Add(new PipelineWarning("reference-floor", $"The in-image reference ({measured / scale!.SquareMillimetresPerPixel * 100:F0} {basis}/cm2) is below {options.MinInImageReferenceRelativeToFallback:P0} of the lowest population mean: the frame likely holds little normal scalp, so {floor0 / scale.SquareMillimetresPerPixel * 100:F0} {basis}/cm2 is used. Give the patient's own reference (e.g. an occipital frame) for a better judgement."));
            }
        }

        if (reference is null && scale is not null)
        {
            // Hairs per FU 137/72 (Tsai 2002, docs/DOMAIN-SOURCES.md): hairs = FU x 137/72.
            var fallback = options.FallbackReferenceFollicularUnitsPerSquareCentimetre * (useUnits ? 1.0 : 137.0 / 72.0);
            reference = fallback / 100.0 * scale.SquareMillimetresPerPixel;
            referenceSource = "fallback";
            warnings.Add(new PipelineWarning("reference-fallback", $"Fewer than {options.MinFolliclesForInImageReference} {basis} in the image and no reference given: thinning is judged against the fallback reference {fallback:F0} {basis}/cm2 (the clinic's value or the zone default, as the plan)."));
        }

        if (reference is null)
        {
            warnings.Add(new PipelineWarning("no-reference-density", $"Fewer than {options.MinFolliclesForInImageReference} {basis}, no scale and no reference: thinning cannot be judged; only hair-free areas are labelled hairless."));
        }

        ct.ThrowIfCancellationRequested();

        // Length scales: kernel sigma and follicle spacing at the reference (or the frame mean).
        var densityForScale = reference ?? (follicles.Count > 0 && scalpPixels > 0 ? follicles.Count / (double)scalpPixels : (double?)null);
        var sigmaPixels = densityForScale is { } d0 ? SigmaPixels(d0, scale, options, width, height) : 0.1 * Math.Min(width, height);
        var spacingPixels = densityForScale is { } d1 ? 1.0 / Math.Sqrt(d1) : double.PositiveInfinity;
        var cell = Math.Max(1, (int)Math.Floor(Math.Min(sigmaPixels, options.HairlessExtentDiscSpacings * spacingPixels) / CellsPerScale));
        var gw = (width + cell - 1) / cell;
        var gh = (height + cell - 1) / cell;
        var grid = new Size(gw, gh);

        using var maskFraction = ResizeFraction(analysable, grid, cell);
        using var cellMask = new Mat();
        Cv2.Threshold(maskFraction, cellMask, 0.5, 255, ThresholdTypes.Binary);
        cellMask.ConvertTo(cellMask, MatType.CV_8UC1);

        // Hairless is about follicles, not shafts: a shaft from a follicle outside a bald patch
        // may lie across it. So the hair-free set here excludes only emergence points / FU centres.
        using var occupied = OccupancyGrid(null, hairs, units, grid, cell);
        using var free = new Mat();
        Cv2.BitwiseNot(occupied, free);

        // Only non-scar scalp can be hair-free scalp: a scar is its own class, and counting it as
        // free let a scar strip plus the gaps of the thinning scalp beside it hold an empty disc
        // (generated strip + thinning frames grew false hairless patches along the strip).
        using (var scalpCells = ResizeFraction(scalp, grid, cell))
        using (var scalpCellMask = new Mat())
        {
            Cv2.Threshold(scalpCells, scalpCellMask, 0.5, 255, ThresholdTypes.Binary);
            scalpCellMask.ConvertTo(scalpCellMask, MatType.CV_8UC1);
            Cv2.BitwiseAnd(free, scalpCellMask, free);
        }
        using var labelsGrid = new Mat(grid, MatType.CV_8UC1, Scalar.All((byte)RegionClass.HairBearing));
        using var hairless = new Mat(grid, MatType.CV_8UC1, Scalar.All(0));
        // A density map needs room: the kernel (sigma ~2 spacings) and a hairless core (a disc 5
        // spacings across) must fit several times into the frame. A smaller frame (e.g. 70x, ~2.5
        // spacings across) is one density sample, so no local thinning/hairless map is drawn.
        var frameSpacings = Math.Min(width, height) / spacingPixels;
        var densitySupported = !double.IsFinite(spacingPixels) || frameSpacings >= options.MinFrameSpacingsForDensityRegions;
        if (!densitySupported)
        {
            warnings.Add(new PipelineWarning(
                "density-regions-unsupported",
                $"The frame's short side spans only {frameSpacings:F1} follicle spacings (at least {options.MinFrameSpacingsForDensityRegions:F0} needed for a local density map): thinning and hairless are not mapped; non-scar scalp is labelled hair-bearing. Use a lower magnification (about 20x) or the frame's mean density."));
        }

        if (!densitySupported)
        {
            // Labels stay hair-bearing (with the warning); scars and off-scalp still apply.
        }
        else if (reference is { } refPx2)
        {
            var spacingCells = spacingPixels / cell;
            using (var density = DensityField(scalp, follicles, sigmaPixels, grid, cell, ct))
            using (var ratio = new Mat())
            using (var surround = SurroundingRelativeDensity(scalp, free, follicles, sigmaPixels, refPx2, spacingCells, grid, cell, options, ct))
            {
                Cv2.Multiply(density, Scalar.All(1.0 / refPx2), ratio);
                HairlessCells(free, ratio, surround, spacingCells, options, hairless);
            }

            InsetHairlessEdge(hairless, options.HairlessEdgeInsetSpacings * spacingCells);
            ct.ThrowIfCancellationRequested();

            // Density again, over the scalp without the hairless area: a bald patch is its own
            // class, and inside a kernel of ~2 mm it would otherwise pull the field of the normal
            // scalp around it below the thinning threshold (a thinning halo around every patch).
            using var scalpHaired = new Mat();
            using (var hairlessFull = new Mat())
            using (var hairlessBig = new Mat())
            {
                Cv2.Resize(hairless, hairlessBig, new Size(gw * cell, gh * cell), 0, 0, InterpolationFlags.Nearest);
                using (var roi = new Mat(hairlessBig, new Rect(0, 0, width, height)))
                {
                    Cv2.BitwiseNot(roi, hairlessFull);
                }

                Cv2.BitwiseAnd(scalp, hairlessFull, scalpHaired);
            }

            using var densityHaired = DensityField(scalpHaired, follicles, sigmaPixels, grid, cell, ct);

            // The in-image reference again, over the scalp without the hairless area: a bald patch
            // beside a narrow hair-bearing strip dilutes the strip's field, and the first estimate
            // then settled at the thinning scalp's density (generated thinning + bald frames).
            if (referenceSource == "in-image")
            {
                using var hairedCells = ResizeFraction(scalpHaired, grid, cell);
                using var hairedCellMask = new Mat();
                Cv2.Threshold(hairedCells, hairedCellMask, 0.5, 255, ThresholdTypes.Binary);
                hairedCellMask.ConvertTo(hairedCellMask, MatType.CV_8UC1);
                if (InImageReference(densityHaired, hairedCellMask, options) is { } refined)
                {
                    if (ReferenceFloor(scale, useUnits, options) is { } floor1)
                    {
                        refined = Math.Max(refined, floor1);
                    }

                    refPx2 = refined;
                    reference = refined;
                }
            }

            using var ratioHaired = new Mat();
            Cv2.Multiply(densityHaired, Scalar.All(1.0 / refPx2), ratioHaired);
            using var thinning = new Mat();
            Cv2.Threshold(ratioHaired, thinning, options.ThinningBelowRelativeDensity, 255, ThresholdTypes.BinaryInv);
            thinning.ConvertTo(thinning, MatType.CV_8UC1);
            labelsGrid.SetTo(Scalar.All((byte)RegionClass.Thinning), thinning);
        }
        else if (double.IsFinite(spacingPixels))
        {
            OpenWithDisc(free, options.HairlessEmptyDiscSpacings * spacingPixels / cell, hairless);
        }
        else
        {
            // No follicle at all and nothing to compare with: every analysable cell is hair-free.
            free.CopyTo(hairless);
        }

        labelsGrid.SetTo(Scalar.All((byte)RegionClass.Hairless), hairless);
        ct.ThrowIfCancellationRequested();

        using var offGrid = new Mat();
        Cv2.BitwiseNot(cellMask, offGrid);
        labelsGrid.SetTo(Scalar.All((byte)RegionClass.OffScalp), offGrid);
        var minCells = Math.Max(1, (int)Math.Round(RegionExtraction.MinRegionAreaPixels(options, scale, analysablePixels) / (double)(cell * cell)));
        RemoveSmallIslands(labelsGrid, minCells);

        // Back to full resolution; off-scalp follows the exact analysable mask.
        var labels = new Mat();
        try
        {
            using var big = new Mat();
            Cv2.Resize(labelsGrid, big, new Size(gw * cell, gh * cell), 0, 0, InterpolationFlags.Nearest);
            using (var roi = new Mat(big, new Rect(0, 0, width, height)))
            {
                roi.CopyTo(labels);
            }

            using var off = new Mat();
            Cv2.BitwiseNot(analysable, off);
            labels.SetTo(Scalar.All((byte)RegionClass.OffScalp), off);
            using var offInLabels = new Mat();
            Cv2.Compare(labels, (double)(byte)RegionClass.OffScalp, offInLabels, CmpTypes.EQ);
            using var wronglyOff = new Mat();
            Cv2.BitwiseAnd(offInLabels, analysable, wronglyOff);
            labels.SetTo(Scalar.All((byte)RegionClass.HairBearing), wronglyOff);
            labels.SetTo(Scalar.All((byte)RegionClass.Scar), scarMask);
        }
        catch
        {
            labels.Dispose();
            throw;
        }

        var basisInfo = new RegionReference(reference, useUnits, referenceSource);
        var built = RegionExtraction.Build(image, labels, hairs, units, hair, scale, options, basisInfo, warnings, frameColours, ct);
        return built;
    }

    /// <summary>Hair occupancy per grid cell (255): any hair pixel (none when <paramref name="hair"/> is null), hair emergence point or FU centre.</summary>
    private static Mat OccupancyGrid(Mat? hair, IReadOnlyList<HairInstance> hairs, IReadOnlyList<FollicularUnit> units, Size grid, int cell)
    {
        Mat occupied;
        if (hair is null)
        {
            occupied = new Mat(grid, MatType.CV_8UC1, Scalar.All(0));
        }
        else
        {
            occupied = ResizeFraction(hair, grid, cell);
            Cv2.Threshold(occupied, occupied, 0, 255, ThresholdTypes.Binary);
            occupied.ConvertTo(occupied, MatType.CV_8UC1);
        }

        foreach (var p in hairs.Select(h => h.Emergence).Concat(units.Select(u => u.Centre)))
        {
            var gx = (int)(p.X / cell);
            var gy = (int)(p.Y / cell);
            if (gx >= 0 && gy >= 0 && gx < grid.Width && gy < grid.Height)
            {
                occupied.Set(gy, gx, (byte)255);
            }
        }

        return occupied;
    }

    /// <summary>
    /// Lowest in-image reference (follicles per px^2) accepted, with a scale:
    /// <see cref="RegionOptions.MinInImageReferenceRelativeToFallback"/> of the population fallback
    /// (in hairs when hairs are counted, x 137/72 as Tsai 2002 in docs/DOMAIN-SOURCES.md). Null without a scale
    /// or when the floor is off (0).
    /// </summary>
    private static double? ReferenceFloor(Scale? scale, bool useUnits, RegionOptions options)
    {
        if (scale is null || options.MinInImageReferenceRelativeToFallback <= 0)
        {
            return null;
        }

        var minimum = options.PopulationMinimumFollicularUnitsPerSquareCentimetre * (useUnits ? 1.0 : 137.0 / 72.0);
        return options.MinInImageReferenceRelativeToFallback * minimum / 100.0 * scale.SquareMillimetresPerPixel;
    }

    /// <summary>Kernel sigma in pixels holding <see cref="RegionOptions.KernelExpectedFollicles"/> follicles at the given density.</summary>
    internal static double SigmaPixels(double folliclesPerSquarePixel, Scale? scale, RegionOptions options, int width, int height)
    {
        var sigma = Math.Sqrt(options.KernelExpectedFollicles / (2 * Math.PI * folliclesPerSquarePixel));
        if (scale is not null)
        {
            sigma = Math.Max(sigma, options.MinKernelSigmaMillimetres * scale.PixelsPerMillimetre);
        }

        // Beyond the image diagonal the field is flat anyway; the cap keeps the filters finite.
        return Math.Min(sigma, Math.Sqrt(((double)width * width) + ((double)height * height)));
    }

    /// <summary>Density field (follicles per px^2) on the given grid; <paramref name="analysable"/> is
    /// an 8-bit mask or its 32F 0-1 fraction.</summary>
    internal static Mat DensityField(Mat analysable, IReadOnlyList<PointPixels> follicles, double sigmaPixels, Size grid, int cell, CancellationToken ct)
    {
        // Filter at a resolution of ~sigma/8 per cell, then bring the field to the caller's grid.
        var fcell = Math.Max(1, (int)Math.Floor(sigmaPixels / CellsPerScale));
        var fgrid = new Size((analysable.Cols + fcell - 1) / fcell, (analysable.Rows + fcell - 1) / fcell);
        using var maskFraction = ResizeFraction(analysable, fgrid, fcell);
        using var impulses = new Mat(fgrid, MatType.CV_32FC1, Scalar.All(0));
        foreach (var p in follicles)
        {
            var gx = Math.Clamp((int)(p.X / fcell), 0, fgrid.Width - 1);
            var gy = Math.Clamp((int)(p.Y / fcell), 0, fgrid.Height - 1);
            impulses.Set(gy, gx, impulses.At<float>(gy, gx) + 1f);
        }

        ct.ThrowIfCancellationRequested();
        using var coarse = DensityPerSquarePixel(impulses, maskFraction, sigmaPixels / fcell, fcell);
        using var padded = new Mat();
        Cv2.Resize(coarse, padded, new Size(fgrid.Width * fcell / cell, fgrid.Height * fcell / cell), 0, 0, InterpolationFlags.Linear);
        var result = new Mat();
        using var fitted = new Mat();
        Cv2.CopyMakeBorder(padded, fitted, 0, Math.Max(0, grid.Height - padded.Rows), 0, Math.Max(0, grid.Width - padded.Cols), BorderTypes.Replicate);
        using (var roi = new Mat(fitted, new Rect(0, 0, grid.Width, grid.Height)))
        {
            roi.CopyTo(result);
        }

        return result;
    }

    private static double? InImageReference(Mat analysable, IReadOnlyList<PointPixels> follicles, double sigmaPixels, RegionOptions options, CancellationToken ct)
    {
        var cell = Math.Max(1, (int)Math.Floor(sigmaPixels / CellsPerScale));
        var grid = new Size((analysable.Cols + cell - 1) / cell, (analysable.Rows + cell - 1) / cell);
        using var field = DensityField(analysable, follicles, sigmaPixels, grid, cell, ct);
        using var maskFraction = ResizeFraction(analysable, grid, cell);
        using var cellMask = new Mat();
        Cv2.Threshold(maskFraction, cellMask, 0.5, 255, ThresholdTypes.Binary);
        cellMask.ConvertTo(cellMask, MatType.CV_8UC1);
        return InImageReference(field, cellMask, options);
    }

    /// <summary>Local hair density (hairs per px^2): blurred impulses over blurred analysable fraction.</summary>
    internal static Mat DensityPerSquarePixel(Mat impulses, Mat maskFraction, double sigmaCells, int cell)
    {
        using var num = new Mat();
        using var den = new Mat();
        Cv2.GaussianBlur(impulses, num, new Size(0, 0), sigmaCells, sigmaCells, BorderTypes.Constant);
        Cv2.GaussianBlur(maskFraction, den, new Size(0, 0), sigmaCells, sigmaCells, BorderTypes.Constant);
        using var floor = new Mat();
        Cv2.Max(den, Scalar.All(1e-3), floor);
        var density = new Mat();
        Cv2.Divide(num, floor, density, 1.0 / (cell * (double)cell));
        using var tooLittle = new Mat();
        Cv2.Threshold(den, tooLittle, 0.05, 255, ThresholdTypes.BinaryInv);
        tooLittle.ConvertTo(tooLittle, MatType.CV_8UC1);
        density.SetTo(Scalar.All(0), tooLittle);
        return density;
    }

    /// <summary>
    /// The patient's hair-bearing density in the frame, self-consistently: start from a high
    /// quantile of the smoothed field; take the cells whose field is at least
    /// <see cref="RegionOptions.ReferenceCellsAboveRelativeDensity"/> of it as hair-bearing and
    /// set the reference to the mean field over those cells; repeat until it settles.
    /// The mean of the smoothed field, not the follicles counted in the chosen cells: the cells
    /// are chosen by the field, so their raw counts are biased upwards by the choice itself, and
    /// with the detector's sparser, more clustered units the rounds fed on that bias and climbed
    /// to 1.5-2x the frame's true hair-bearing density on generated thinning + bald frames (every
    /// normal cell then read as thinning). The field mean can never exceed the field's maximum,
    /// so the rounds settle at the nearest fixed point; where a narrow hair-bearing strip is
    /// diluted by the kernel it errs low, which only moves the thinning edge into thinning scalp,
    /// instead of erring high, which calls normal scalp thinning.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double? InImageReference(Mat density, Mat cellMask, RegionOptions options)
    {
        var values = new List<float>();
        var rows = density.Rows;
        var cols = density.Cols;
        var cellMaskV = GridValues<byte>(cellMask);
        var densityV = GridValues<float>(density);
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                if (cellMaskV[(y * cols) + x] != 0)
                {
                    values.Add(densityV[(y * cols) + x]);
                }
            }
        }

        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        double reference = values[Math.Min(values.Count - 1, (int)(options.ReferenceSeedQuantile * values.Count))];
        for (var i = 0; i < 20 && reference > 0; i++)
        {
            // The values are sorted: the chosen cells are a suffix of the list.
            var cut = options.ReferenceCellsAboveRelativeDensity * reference;
            var from = values.BinarySearch((float)cut);
            from = from < 0 ? ~from : from;
            while (from > 0 && values[from - 1] >= cut)
            {
                from--;
            }

            if (from >= values.Count)
            {
                break;
            }

            double sum = 0;
            for (var j = from; j < values.Count; j++)
            {
                sum += values[j];
            }

            var next = sum / (values.Count - from);
            var settled = Math.Abs(next - reference) <= 0.002 * reference;
            reference = next;
            if (settled)
            {
                break;
            }
        }

        return reference > 0 ? reference : null;
    }

    /// <summary>
    /// Density (relative to the reference) of the scalp around each cell, leaving out the
    /// follicle-free discs of <see cref="RegionOptions.HairlessEmptyDiscSpacings"/> spacings: the
    /// density a candidate bald patch has to be judged against. Leaving them out keeps a bald patch
    /// from lowering its own yardstick, while in thinning scalp those discs cover little area.
    /// </summary>
    private static Mat SurroundingRelativeDensity(Mat scalp, Mat free, IReadOnlyList<PointPixels> follicles, double sigmaPixels, double refPx2, double spacingCells, Size grid, int cell, RegionOptions options, CancellationToken ct)
    {
        using var empty = new Mat();
        OpenWithDisc(free, options.HairlessEmptyDiscSpacings * spacingCells, empty);
        using var emptyBig = new Mat();
        Cv2.Resize(empty, emptyBig, new Size(grid.Width * cell, grid.Height * cell), 0, 0, InterpolationFlags.Nearest);
        using var around = new Mat();
        using (var roi = new Mat(emptyBig, new Rect(0, 0, scalp.Cols, scalp.Rows)))
        {
            Cv2.BitwiseNot(roi, around);
        }

        Cv2.BitwiseAnd(around, scalp, around);
        var density = DensityField(around, follicles, sigmaPixels, grid, cell, ct);
        Cv2.Multiply(density, Scalar.All(1.0 / refPx2), density);
        return density;
    }

    /// <summary>
    /// Hairless cells. Core: a follicle-free disc so large that the density of the scalp around it
    /// would put <c>pi * (HairlessEmptyDiscSpacings)^2</c> follicles in it (a disc of that many
    /// local spacings: empty by chance with probability ~exp(-4 pi) ~ 4e-6 under a Poisson layout), and
    /// at least that many reference spacings, where the field is below
    /// <see cref="RegionOptions.HairlessBelowRelativeDensity"/> of the reference. Judging the disc
    /// against the local density, not the reference, keeps the gaps of thinning scalp (at ~30-50% of
    /// normal, Vecchio 2002 in docs/DOMAIN-SOURCES.md) out of the hairless class. Extent: the hair-free set opened
    /// with a disc of <see cref="RegionOptions.HairlessExtentDiscSpacings"/> spacings (so the edge
    /// follows the last hairs) within that radius of a core.
    /// </summary>
    private static void HairlessCells(Mat free, Mat ratio, Mat surround, double spacingCells, RegionOptions options, Mat result)
    {
        using var extent = new Mat();
        OpenWithDisc(free, options.HairlessExtentDiscSpacings * spacingCells, extent);

        // Distance (cells) to the nearest follicle; beyond the frame counts as occupied (unknown).
        using var padded = new Mat();
        Cv2.CopyMakeBorder(free, padded, 1, 1, 1, 1, BorderTypes.Constant, Scalar.All(0));
        using var distPadded = new Mat();
        Cv2.DistanceTransform(padded, distPadded, DistanceTypes.L2, DistanceTransformMasks.Mask5);
        using var dist = new Mat(distPadded, new Rect(1, 1, free.Cols, free.Rows));
        using var centres = new Mat(free.Size(), MatType.CV_8UC1, Scalar.All(0));
        var rows = free.Rows;
        var cols = free.Cols;
        var minRadius = options.HairlessEmptyDiscSpacings * spacingCells;
        var floor = options.HairlessSurroundFloorRelativeDensity;
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                var d = dist.At<float>(y, x);
                if (d < minRadius || ratio.At<float>(y, x) >= options.HairlessBelowRelativeDensity)
                {
                    continue;
                }

                // Local spacing from the surrounding density: radius needed = discs x local spacing.
                var rel = Math.Max(floor, Math.Min(1.0, surround.At<float>(y, x)));
                if (d >= minRadius / Math.Sqrt(rel))
                {
                    centres.Set(y, x, (byte)255);
                }
            }
        }

        // The core is the union of those empty discs (centre + its own radius), so it reaches out
        // to the follicles like the extent does.
        using var core = new Mat(free.Size(), MatType.CV_8UC1, Scalar.All(0));
        if (Cv2.CountNonZero(centres) > 0)
        {
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < cols; x++)
                {
                    if (centres.At<byte>(y, x) != 0)
                    {
                        Cv2.Circle(core, new Point(x, y), (int)Math.Floor(dist.At<float>(y, x)), Scalar.All(255), -1);
                    }
                }
            }

            Cv2.BitwiseAnd(core, free, core);
        }

        // The extent only fills the corners the core's large discs cannot reach: it may not run
        // further than one extent radius from a core, so it cannot leak through sparse scalp.
        var r = Math.Max(1, (int)Math.Round(options.HairlessExtentDiscSpacings * spacingCells));
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size((2 * r) + 1, (2 * r) + 1));
        using var near = new Mat();
        Cv2.Dilate(core, near, kernel);
        Cv2.BitwiseAnd(extent, near, extent);
        Cv2.BitwiseOr(extent, core, extent);
        KeepComponentsTouching(extent, core, result);
    }

    /// <summary>
    /// Moves the hairless edge inwards by the given radius (cells). The empty discs reach out to
    /// the first follicles beyond the true edge; under a Poisson layout the nearest of them lies
    /// ~0.5-0.7 spacings outside it (see <see cref="RegionOptions.HairlessEdgeInsetSpacings"/>).
    /// The frame border does not erode: the patch may run on beyond it.
    /// </summary>
    private static void InsetHairlessEdge(Mat hairless, double radiusCells)
    {
        var r = (int)Math.Round(radiusCells);
        if (r < 1 || Cv2.CountNonZero(hairless) == 0)
        {
            return;
        }

        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size((2 * r) + 1, (2 * r) + 1));
        Cv2.Erode(hairless, hairless, kernel, null, 1, BorderTypes.Replicate);
    }

    /// <summary>Morphological opening with a disc; pixels outside the image count as occupied:
    /// what lies beyond the frame is unknown, and counting it as hair-free made frame corners with
    /// a few missing hairs read as hairless.</summary>
    internal static void OpenWithDisc(Mat free, double radius, Mat result)
    {
        var r = Math.Max(1, (int)Math.Round(radius));
        using var padded = new Mat();
        Cv2.CopyMakeBorder(free, padded, r, r, r, r, BorderTypes.Constant, Scalar.All(0));
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size((2 * r) + 1, (2 * r) + 1));
        using var opened = new Mat();
        Cv2.MorphologyEx(padded, opened, MorphTypes.Open, kernel, null, 1, BorderTypes.Constant, Scalar.All(0));
        using var roi = new Mat(opened, new Rect(r, r, free.Cols, free.Rows));
        roi.CopyTo(result);
        Cv2.BitwiseAnd(result, free, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KeepComponentsTouching(Mat mask, Mat seeds, Mat result)
    {
        using var cc = new Mat();
        var n = Cv2.ConnectedComponents(mask, cc, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var keep = new bool[n];
        var rows = mask.Rows;
        var cols = mask.Cols;
        var seedsV = GridValues<byte>(seeds);
        var ccV = GridValues<int>(cc);
        var resultV = new byte[rows * cols];
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                if (seedsV[(y * cols) + x] != 0)
                {
                    keep[ccV[(y * cols) + x]] = true;
                }
            }
        }

        keep[0] = false;
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                if (keep[ccV[(y * cols) + x]])
                {
                    resultV[(y * cols) + x] = 255;
                }
            }
        }

        result.Create(mask.Size(), MatType.CV_8UC1);
        SetValues(result, resultV);
    }

    /// <summary>
    /// Scar cells: hair-free, smooth and off-colour. Local mean Lab and local L* standard
    /// deviation are taken over skin pixels only (hair excluded, normalised convolution) and
    /// compared with the normal skin of hair-bearing cells.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Mat ScarMask(ScalpImage image, Mat analysable, Mat hair, IReadOnlyList<HairInstance> hairs, IReadOnlyList<FollicularUnit> units, Scale? scale, RegionOptions options, CancellationToken ct)
    {
        var width = image.WidthPixels;
        var height = image.HeightPixels;
        var windowPixels = scale is not null
            ? options.TextureWindowMillimetres * scale.PixelsPerMillimetre
            : options.TextureWindowFractionOfShortSideWithoutScale * Math.Min(width, height);

        // Scar grid: two cells per colour window.
        var cell = Math.Max(1, (int)Math.Floor(windowPixels / 2));
        var grid = new Size((width + cell - 1) / cell, (height + cell - 1) / cell);
        using var occupied = OccupancyGrid(hair, hairs, units, grid, cell);
        using var maskFraction = ResizeFraction(analysable, grid, cell);
        using var normal = new Mat();
        Cv2.Threshold(maskFraction, normal, 0.5, 255, ThresholdTypes.Binary);
        normal.ConvertTo(normal, MatType.CV_8UC1);
        var minScarCells = scale is null ? 4 : Math.Max(4, (int)Math.Round(options.ScarMinAreaSquareMillimetres / scale.SquareMillimetresPerPixel / (cell * (double)cell)));

        // Work at a resolution where the window is ~6 px: enough to see texture, cheap to filter.
        var step = Math.Max(1, (int)Math.Floor(windowPixels / 6.0));
        var small = new Size((width + step - 1) / step, (height + step - 1) / step);
        // Lab of the block-averaged colour, converted at this resolution only, through OpenCV's
        // 8-bit table conversion (quantised to ~0.4 units, far under the 6-unit scar threshold):
        // the full-frame float Lab conversion was the costliest step of the stage (~30 ms per
        // 1280x1024 frame), and the colour test uses pure-skin blocks only, where the mean colour
        // and the mean of the Lab values agree. The blocks are the step x step cells of the skin
        // fraction below (BlockMeans), so colour and skin weight describe the same pixels; an
        // area resize to the rounded-up size spread each output pixel over step * W / (W rounded
        // up to a multiple of step) input pixels, drifting off those cells, and cost ~6 ms.
        using var bgrSmall = BlockMeans(image.Bgr, small, step);
        using var lab8 = new Mat();
        Cv2.CvtColor(bgrSmall, lab8, ColorConversionCodes.BGR2Lab);
        using var skin = new Mat();
        using var notHair = new Mat();
        using var hairWide = new Mat();
        // Hair edges are kept out of skin by a 5 x 5 disc (two working pixels; on a frame reduced
        // to the working scale the margin is physically wider, which on the 300 real frames kept
        // fewer false scars than a margin scaled to the same width: 0.76% vs 0.82% of the scalp).
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5)))
        {
            Cv2.Dilate(hair, hairWide, k);
        }

        Cv2.BitwiseNot(hairWide, notHair);
        Cv2.BitwiseAnd(analysable, notHair, skin);
        using var skinSmall = ResizeFraction(skin, small, step);
        Cv2.Threshold(skinSmall, skinSmall, 0.99, 1.0, ThresholdTypes.Binary);
        ct.ThrowIfCancellationRequested();

        var ch = Cv2.Split(lab8);
        try
        {
            // 8-bit Lab to L* 0-100 and signed a*, b*.
            ch[0].ConvertTo(ch[0], MatType.CV_32FC1, 100.0 / 255.0);
            ch[1].ConvertTo(ch[1], MatType.CV_32FC1, 1.0, -128.0);
            ch[2].ConvertTo(ch[2], MatType.CV_32FC1, 1.0, -128.0);

            // Window means over skin (normalised convolution). They are smooth at the window's
            // scale and only wanted on the region grid (two cells per window), so the weighted
            // values are area-averaged by f first (a linear step, so the means are unchanged up
            // to the blur's sampling) and blurred there: at 50 px/mm the texture resolution is the
            // full frame and five full-size blurs took ~250 ms.
            var sigma = windowPixels / step;
            var f = Math.Max(1, (int)Math.Floor(sigma / 2.5));
            var coarse = new Size((small.Width + f - 1) / f, (small.Height + f - 1) / f);
            var sigmaCoarse = sigma / f;
            using var w = Coarse(skinSmall, coarse);
            Cv2.GaussianBlur(w, w, new Size(0, 0), sigmaCoarse);
            Cv2.Max(w, Scalar.All(1e-3), w);
            using var meanL = WeightedMean(ch[0], skinSmall, w, coarse, sigmaCoarse);
            using var meanA = WeightedMean(ch[1], skinSmall, w, coarse, sigmaCoarse);
            using var meanB = WeightedMean(ch[2], skinSmall, w, coarse, sigmaCoarse);
            using var l2 = new Mat();
            Cv2.Multiply(ch[0], ch[0], l2);
            using var meanL2 = WeightedMean(l2, skinSmall, w, coarse, sigmaCoarse);
            using var variance = new Mat();
            using var meanLSq = new Mat();
            Cv2.Multiply(meanL, meanL, meanLSq);
            Cv2.Subtract(meanL2, meanLSq, variance);
            Cv2.Max(variance, Scalar.All(0), variance);
            using var texture = new Mat();
            Cv2.Sqrt(variance, texture);

            // Features on the region grid.
            using var gL = ToGrid(meanL, grid);
            using var gA = ToGrid(meanA, grid);
            using var gB = ToGrid(meanB, grid);
            using var gT = ToGrid(texture, grid);

            // Normal skin: the median over all analysable cells (scars are the minority of a frame;
            // a frame mostly of scar tissue is read as normal skin, a documented limit).
            if (Cv2.CountNonZero(normal) == 0)
            {
                return new Mat(analysable.Size(), MatType.CV_8UC1, Scalar.All(0));
            }

            // Normal skin colour as a smooth (quadratic) surface fitted robustly over the frame:
            // lighting gradients, vignetting and corner defocus are smooth and follow it, while a
            // scar is compact and stands out from it (real frames: a single median colour called
            // the lit centre or the dim corners scar).
            using var fitL = RobustQuadraticSurface(gL, normal);
            using var fitA = RobustQuadraticSurface(gA, normal);
            using var fitB = RobustQuadraticSurface(gB, normal);
            var refT = MedianOver(gT, normal);
            // Core: off-colour and smooth.
            var rows = grid.Height;
            var cols = grid.Width;
            var occupiedV = GridValues<byte>(occupied);
            var gLV = GridValues<float>(gL);
            var gAV = GridValues<float>(gA);
            var gBV = GridValues<float>(gB);
            var gTV = GridValues<float>(gT);
            var fitLV = GridValues<float>(fitL);
            var fitAV = GridValues<float>(fitA);
            var fitBV = GridValues<float>(fitB);
            var coreV = new byte[rows * cols];
            var deV = new float[rows * cols];
            double sumL = 0, sumA = 0, sumB = 0;
            var coreCells = 0;
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < cols; x++)
                {
                    var dl = gLV[(y * cols) + x] - fitLV[(y * cols) + x];
                    var da = gAV[(y * cols) + x] - fitAV[(y * cols) + x];
                    var db = gBV[(y * cols) + x] - fitBV[(y * cols) + x];
                    var de = Math.Sqrt((dl * dl) + (da * da) + (db * db));
                    deV[(y * cols) + x] = (float)de;
                    if (occupiedV[(y * cols) + x] != 0)
                    {
                        continue;
                    }

                    var smooth = refT > 0 && gTV[(y * cols) + x] <= options.ScarMaxRelativeTexture * refT;
                    if (de >= options.ScarMinColourDifference && smooth)
                    {
                        coreV[(y * cols) + x] = 255;
                    }
                }
            }

            using var core = new Mat(grid, MatType.CV_8UC1);
            SetValues(core, coreV);

            // Remove speckle: a scar is an area, not a few cells between hairs.
            using var k3 = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
            Cv2.MorphologyEx(core, core, MorphTypes.Open, k3);
            coreV = GridValues<byte>(core);
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < cols; x++)
                {
                    if (coreV[(y * cols) + x] != 0)
                    {
                        sumL += gLV[(y * cols) + x];
                        sumA += gAV[(y * cols) + x];
                        sumB += gBV[(y * cols) + x];
                        coreCells++;
                    }
                }
            }

            // Extent: the scar's own edge reads as texture, so around the cores (within two
            // colour windows) hair-free cells closer in colour to the scar than to the skin join.
            using var extent = new Mat(grid, MatType.CV_8UC1, Scalar.All(0));
            if (coreCells > 0)
            {
                var sL = sumL / coreCells;
                var sA = sumA / coreCells;
                var sB = sumB / coreCells;
                var reach = Math.Max(1, (int)Math.Ceiling(2 * windowPixels / cell));
                using var near = new Mat();
                using var kr = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size((2 * reach) + 1, (2 * reach) + 1));
                Cv2.Dilate(core, near, kr);
                var nearV = GridValues<byte>(near);
                var extentV = new byte[rows * cols];
                for (var y = 0; y < rows; y++)
                {
                    for (var x = 0; x < cols; x++)
                    {
                        if (nearV[(y * cols) + x] == 0 || occupiedV[(y * cols) + x] != 0)
                        {
                            continue;
                        }

                        double l = gLV[(y * cols) + x], a = gAV[(y * cols) + x], b = gBV[(y * cols) + x];
                        var toScar = ((l - sL) * (l - sL)) + ((a - sA) * (a - sA)) + ((b - sB) * (b - sB));
                        double fl = fitLV[(y * cols) + x], fa = fitAV[(y * cols) + x], fb = fitBV[(y * cols) + x];
                        var toSkin = ((l - fl) * (l - fl)) + ((a - fa) * (a - fa)) + ((b - fb) * (b - fb));
                        if (toScar < toSkin)
                        {
                            extentV[(y * cols) + x] = 255;
                        }
                    }
                }

                SetValues(extent, extentV);

                Cv2.BitwiseOr(extent, core, extent);
                Cv2.MorphologyEx(extent, extent, MorphTypes.Close, k3);
            }

            using var cells = new Mat();
            KeepComponentsTouching(extent, core, cells);
            RemoveComponentsSmallerThan(cells, minScarCells);
            if (options.DetectPunctateScars && scale is not null)
            {
                using var skinGrid = ToGrid(w, grid);
                using var follicleCells = OccupancyGrid(null, hairs, units, grid, cell);
                // Smoothness of a punch is judged on fine texture (L* minus its blur at a third of
                // the colour window, ~0.05 mm: the flakes and openings of skin, under a punch's
                // edge ramp): a punch is only ~3 colour windows in radius, and its own edge step
                // kept the window std at its centre near that of normal skin (generated FUE frames
                // at 50 px/mm: core 1.1-1.8x normal skin), so the area detector's texture test
                // cannot see a punch as smooth.
                using var lBlur = new Mat();
                Cv2.GaussianBlur(ch[0], lBlur, new Size(0, 0), Math.Max(0.7, sigma / 3));
                using var highPass = new Mat();
                Cv2.Subtract(ch[0], lBlur, highPass);
                Cv2.Multiply(highPass, highPass, highPass);
                using var fineVariance = WeightedMean(highPass, skinSmall, w, coarse, sigmaCoarse);
                Cv2.Max(fineVariance, Scalar.All(0), fineVariance);
                Cv2.Sqrt(fineVariance, fineVariance);
                using var gFine = ToGrid(fineVariance, grid);
                var refFine = MedianOver(gFine, normal);
                using var discs = PunctateDiscs(deV, GridValues<float>(skinGrid), GridValues<float>(gFine), refFine, follicleCells, grid, cell, scale, options);
                Cv2.BitwiseOr(cells, discs, cells);
            }

            using var big = new Mat();
            Cv2.Resize(cells, big, new Size(grid.Width * cell, grid.Height * cell), 0, 0, InterpolationFlags.Nearest);
            var result = new Mat();
            using (var roi = new Mat(big, new Rect(0, 0, width, height)))
            {
                Cv2.BitwiseAnd(roi, analysable, result);
            }

            return result;
        }
        finally
        {
            foreach (var m in ch)
            {
                m.Dispose();
            }
        }
    }

    /// <summary>
    /// Punctate (FUE punch) scars on the scar grid: off-colour discs (CIE76 to the fitted skin
    /// surface at least <see cref="RegionOptions.ScarMinColourDifference"/>) of an FUE punch's
    /// size (equivalent diameter <see cref="RegionOptions.PunctateMinDiameterMillimetres"/> to
    /// <see cref="RegionOptions.PunctateMaxDiameterMillimetres"/>; punches ~0.8-1.0 mm, practice),
    /// round, smooth (median fine texture of its core at most <see cref="RegionOptions.PunctateMaxRelativeFineTexture"/>
    /// of the scalp's) and with no follicle (hair emergence or FU centre) inside. Unlike the area
    /// detector, shafts may cross them: a punch sits among hair-bearing scalp and the shafts of
    /// its neighbours lie over it, so cells with shaft pixels were never scar cores there.
    /// Evidence from the field: with at least <see cref="RegionOptions.PunctateMinDiscsInField"/>
    /// discs all are kept; a lone disc only if it is <see cref="RegionOptions.PunctateLoneDiscColourFactor"/>
    /// times as far off-colour.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Mat PunctateDiscs(float[] deV, float[] skinV, float[] gTV, float refT, Mat follicleCells, Size grid, int cell, Scale scale, RegionOptions options)
    {
        var rows = grid.Height;
        var cols = grid.Width;
        var candV = new byte[rows * cols];
        for (var i = 0; i < candV.Length; i++)
        {
            // Cells whose colour window holds little skin (under a quarter) have no colour to judge.
            if (skinV[i] >= 0.25f && deV[i] >= options.ScarMinColourDifference)
            {
                candV[i] = 255;
            }
        }

        using var cand = new Mat(grid, MatType.CV_8UC1);
        SetValues(cand, candV);
        using (var k3 = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3)))
        {
            Cv2.MorphologyEx(cand, cand, MorphTypes.Open, k3);
        }

        // Follicles are counted inside the disc less its edge cell: the disc's blurred edge
        // reaches the follicles around it.
        using var inner = new Mat();
        Cv2.Erode(cand, inner, null);
        using var cc = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var n = Cv2.ConnectedComponentsWithStats(cand, cc, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var result = new Mat(grid, MatType.CV_8UC1, Scalar.All(0));
        if (n <= 1)
        {
            return result;
        }

        var ccV = GridValues<int>(cc);
        var innerV = GridValues<byte>(inner);
        using var dist = new Mat();
        Cv2.DistanceTransform(cand, dist, DistanceTypes.L2, DistanceTransformMasks.Mask3);
        var distV = GridValues<float>(dist);
        var follV = GridValues<byte>(follicleCells);
        var points = new List<Point>[n];
        var hasFollicle = new bool[n];
        var cellMm = cell / scale.PixelsPerMillimetre;
        var minCells = Math.PI / 4 * Math.Pow(options.PunctateMinDiameterMillimetres / cellMm, 2);
        var maxCells = Math.PI / 4 * Math.Pow(options.PunctateMaxDiameterMillimetres / cellMm, 2);
        for (var i = 1; i < n; i++)
        {
            var a = stats.At<int>(i, (int)ConnectedComponentsTypes.Area);
            if (a >= minCells && a <= maxCells)
            {
                points[i] = new List<Point>(a);
            }
        }

        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                var id = ccV[(y * cols) + x];
                if (id <= 0 || points[id] is not { } list)
                {
                    continue;
                }

                list.Add(new Point(x, y));
                if (innerV[(y * cols) + x] != 0 && follV[(y * cols) + x] != 0)
                {
                    hasFollicle[id] = true;
                }
            }
        }

        var accepted = new List<(int Id, double ColourDifference)>();
        for (var i = 1; i < n; i++)
        {
            if (points[i] is not { } list || hasFollicle[i])
            {
                continue;
            }

            Cv2.MinEnclosingCircle(list, out _, out var radius);
            var roundness = list.Count / (Math.PI * Math.Pow(radius + 0.5, 2));
            // Texture in the disc's core only: a punch is a few colour windows across, and the
            // colour step at its edge reads as texture out to ~2 windows inside it (generated
            // FUE frames at 50 px/mm: median over the disc 2.5x normal skin, core under 0.5x).
            var maxDistance = list.Max(p => distV[(p.Y * cols) + p.X]);
            var core = list.Where(p => distV[(p.Y * cols) + p.X] >= 0.6f * maxDistance).Select(p => gTV[(p.Y * cols) + p.X]).OrderBy(v => v).ToList();
            var texture = core[core.Count / 2];
            if (!(refT > 0) || roundness < options.PunctateMinRoundness || texture > options.PunctateMaxRelativeFineTexture * refT)
            {
                continue;
            }

            var de = list.Select(p => deV[(p.Y * cols) + p.X]).OrderBy(v => v).ElementAt(list.Count / 2);
            accepted.Add((i, de));
        }

        var field = accepted.Count >= options.PunctateMinDiscsInField;
        var resultV = new byte[rows * cols];
        foreach (var (id, de) in accepted)
        {
            if (!field && de < options.PunctateLoneDiscColourFactor * options.ScarMinColourDifference)
            {
                continue;
            }

            // Cells holding a follicle on the disc's blurred rim stay scalp, so that the follicle
            // still counts in the density field (removing the rim follicles drew thinning around
            // discs near a thinning edge in generated FUE frames).
            foreach (var p in points[id])
            {
                if (follV[(p.Y * cols) + p.X] == 0)
                {
                    resultV[(p.Y * cols) + p.X] = 255;
                }
            }
        }

        SetValues(result, resultV);
        return result;
    }

    /// <summary>
    /// Least-squares quadratic surface v(x, y) over the masked cells, refitted twice without the
    /// cells farther than 2.5 robust sigmas from it (so compact scars do not bend it). Six
    /// coefficients of a smooth surface need no more than a few thousand cells: the fit uses every
    /// k-th cell in each direction (at most ~<see cref="MaxFitCells"/>), which at 50 px/mm, where
    /// the scar grid has ~150k cells, cut the fit from ~360 ms to a few ms.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Mat RobustQuadraticSurface(Mat values, Mat mask)
    {
        var rows = values.Rows;
        var cols = values.Cols;
        var valuesV = GridValues<float>(values);
        var maskV = GridValues<byte>(mask);
        var stride = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(rows * (double)cols / MaxFitCells)));

        // The sampled cells: normalised coordinates (well-conditioned normal equations) and values.
        var us = new List<double>();
        var vs = new List<double>();
        var zs = new List<double>();
        for (var y = stride / 2; y < rows; y += stride)
        {
            for (var x = stride / 2; x < cols; x += stride)
            {
                if (maskV[(y * cols) + x] != 0)
                {
                    us.Add(Normalised(x, cols));
                    vs.Add(Normalised(y, rows));
                    zs.Add(valuesV[(y * cols) + x]);
                }
            }
        }

        var count = zs.Count;
        var use = Enumerable.Repeat(true, count).ToArray();
        var coef = new double[6];
        var f = new double[6];
        for (var pass = 0; pass < 3; pass++)
        {
            var ata = new double[6, 6];
            var atb = new double[6];
            var n = 0;
            for (var k = 0; k < count; k++)
            {
                if (!use[k])
                {
                    continue;
                }

                Basis(us[k], vs[k], f);
                for (var i = 0; i < 6; i++)
                {
                    atb[i] += f[i] * zs[k];
                    for (var j = 0; j < 6; j++)
                    {
                        ata[i, j] += f[i] * f[j];
                    }
                }

                n++;
            }

            if (n < 12)
            {
                break;
            }

            using var a = new Mat(6, 6, MatType.CV_64FC1);
            using var b = new Mat(6, 1, MatType.CV_64FC1);
            for (var i = 0; i < 6; i++)
            {
                b.Set(i, 0, atb[i]);
                for (var j = 0; j < 6; j++)
                {
                    a.Set(i, j, ata[i, j]);
                }
            }

            using var c = new Mat();
            if (!Cv2.Solve(a, b, c, DecompTypes.SVD))
            {
                break;
            }

            for (var i = 0; i < 6; i++)
            {
                coef[i] = c.At<double>(i, 0);
            }

            // Robust sigma from the median absolute residual; drop outliers for the next pass.
            var residuals = new List<double>(n);
            for (var k = 0; k < count; k++)
            {
                if (use[k])
                {
                    residuals.Add(Math.Abs(zs[k] - Eval(coef, us[k], vs[k], f)));
                }
            }

            // The middle order statistic, as a sort would give it.
            var sigma = Math.Max(1e-3, 1.4826 * Measurement.Colour.OrderStatistics.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(residuals), residuals.Count / 2));
            for (var k = 0; k < count; k++)
            {
                use[k] = Math.Abs(zs[k] - Eval(coef, us[k], vs[k], f)) <= 2.5 * sigma;
            }
        }

        var surfaceV = new float[rows * cols];
        for (var y = 0; y < rows; y++)
        {
            var v = Normalised(y, rows);
            for (var x = 0; x < cols; x++)
            {
                surfaceV[(y * cols) + x] = (float)Eval(coef, Normalised(x, cols), v, f);
            }
        }

        var surface = new Mat(rows, cols, MatType.CV_32FC1);
        SetValues(surface, surfaceV);

        return surface;
    }

    /// <summary>Most grid cells the colour-surface fit samples.</summary>
    private const int MaxFitCells = 6000;

    private static double Normalised(int i, int n) => (2.0 * i / Math.Max(1, n - 1)) - 1;

    private static void Basis(double u, double v, double[] f)
    {
        f[0] = 1;
        f[1] = u;
        f[2] = v;
        f[3] = u * u;
        f[4] = u * v;
        f[5] = v * v;
    }

    private static double Eval(double[] c, double u, double v, double[] f)
    {
        Basis(u, v, f);
        var sum = 0.0;
        for (var i = 0; i < 6; i++)
        {
            sum += c[i] * f[i];
        }

        return sum;
    }

    private static void RemoveComponentsSmallerThan(Mat mask, int minCells)
    {
        using var cc = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var n = Cv2.ConnectedComponentsWithStats(mask, cc, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        for (var i = 1; i < n; i++)
        {
            if (stats.At<int>(i, (int)ConnectedComponentsTypes.Area) < minCells)
            {
                using var comp = new Mat();
                Cv2.Compare(cc, (double)i, comp, CmpTypes.EQ);
                mask.SetTo(Scalar.All(0), comp);
            }
        }
    }

    /// <summary>Weighted window mean: blur(value x weight) / blurred weight, the product
    /// area-averaged to the coarse size before the blur.</summary>
    private static Mat WeightedMean(Mat value, Mat weight, Mat blurredWeight, Size coarse, double sigma)
    {
        using var vw = new Mat();
        Cv2.Multiply(value, weight, vw);
        using var blurred = Coarse(vw, coarse);
        Cv2.GaussianBlur(blurred, blurred, new Size(0, 0), sigma);
        var mean = new Mat();
        Cv2.Divide(blurred, blurredWeight, mean);
        return mean;
    }

    /// <summary>Area average to the given size (a copy when it is the same size).</summary>
    private static Mat Coarse(Mat m, Size size)
    {
        var result = new Mat();
        if (m.Size() == size)
        {
            m.CopyTo(result);
        }
        else
        {
            Cv2.Resize(m, result, size, 0, 0, InterpolationFlags.Area);
        }

        return result;
    }

    /// <summary>Resamples a smooth field to the grid: area average when shrinking, linear when enlarging.</summary>
    private static Mat ToGrid(Mat m, Size grid)
    {
        var result = new Mat();
        var shrink = m.Cols >= grid.Width && m.Rows >= grid.Height;
        Cv2.Resize(m, result, grid, 0, 0, shrink ? InterpolationFlags.Area : InterpolationFlags.Linear);
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float MedianOver(Mat values, Mat mask)
    {
        var list = new List<float>();
        var rows = values.Rows;
        var cols = values.Cols;
        var valuesV = GridValues<float>(values);
        var maskV = GridValues<byte>(mask);
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                if (maskV[(y * cols) + x] != 0)
                {
                    list.Add(valuesV[(y * cols) + x]);
                }
            }
        }

        // The middle order statistic, as a sort would give it.
        return list.Count == 0 ? 0 : Measurement.Colour.OrderStatistics.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), list.Count / 2);
    }

    /// <summary>Islands smaller than minCells take the most common label on their border.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RemoveSmallIslands(Mat labels, int minCells)
    {
        using var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
        foreach (var cls in new[] { RegionClass.Scar, RegionClass.Hairless, RegionClass.Thinning, RegionClass.HairBearing })
        {
            using var mask = new Mat();
            Cv2.Compare(labels, (double)(byte)cls, mask, CmpTypes.EQ);
            using var cc = new Mat();
            using var stats = new Mat();
            using var centroids = new Mat();
            var n = Cv2.ConnectedComponentsWithStats(mask, cc, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
            for (var i = 1; i < n; i++)
            {
                if (stats.At<int>(i, (int)ConnectedComponentsTypes.Area) >= minCells)
                {
                    continue;
                }

                // The island and its one-cell ring lie within its box grown by one cell.
                var box = new Rect(
                    stats.At<int>(i, (int)ConnectedComponentsTypes.Left) - 1,
                    stats.At<int>(i, (int)ConnectedComponentsTypes.Top) - 1,
                    stats.At<int>(i, (int)ConnectedComponentsTypes.Width) + 2,
                    stats.At<int>(i, (int)ConnectedComponentsTypes.Height) + 2)
                    .Intersect(new Rect(0, 0, labels.Cols, labels.Rows));
                using var ccBox = new Mat(cc, box);
                using var labelBox = new Mat(labels, box);
                using var comp = new Mat();
                Cv2.Compare(ccBox, (double)i, comp, CmpTypes.EQ);
                using var ring = new Mat();
                Cv2.Dilate(comp, ring, k);
                Cv2.Subtract(ring, comp, ring);
                var votes = new int[256];
                var ringV = GridValues<byte>(ring);
                var labelV = GridValues<byte>(labelBox);
                for (var j = 0; j < ringV.Length; j++)
                {
                    if (ringV[j] != 0)
                    {
                        votes[labelV[j]]++;
                    }
                }

                votes[(byte)RegionClass.OffScalp] = 0;
                votes[(byte)cls] = 0;
                var best = Array.IndexOf(votes, votes.Max());
                if (votes[best] > 0)
                {
                    labelBox.SetTo(Scalar.All(best), comp);
                }
            }
        }
    }

    /// <summary>The Mat's elements in row order, copied out once: per-element At/Set are native
    /// calls, too slow for loops over whole grids.</summary>
    private static unsafe T[] GridValues<T>(Mat m)
        where T : unmanaged
    {
        // One block copy of the continuous data (Mat.GetArray cost ~0.2 us per element).
        using var continuous = m.IsContinuous() ? null : m.Clone();
        var source = continuous ?? m;
        var count = checked((int)source.Total() * source.Channels());
        if (sizeof(T) * count != source.Total() * source.ElemSize())
        {
            throw new ArgumentException($"Element type does not match the Mat ({source.Type()}).", nameof(m));
        }

        return new ReadOnlySpan<T>((void*)source.Data, count).ToArray();
    }

    /// <summary>Copies row-ordered values into a continuous Mat of the same element count and type
    /// in one block (Mat.SetArray converts element by element).</summary>
    private static unsafe void SetValues<T>(Mat m, T[] values)
        where T : unmanaged
    {
        if (!m.IsContinuous() || (long)sizeof(T) * values.Length != m.Total() * m.ElemSize())
        {
            throw new ArgumentException($"The values do not fill the Mat ({m.Type()}, {m.Total()} elements).", nameof(m));
        }

        values.AsSpan().CopyTo(new Span<T>((void*)m.Data, values.Length));
    }

    private static Mat Binarise(Mat mask)
    {
        var b = new Mat();
        Cv2.Threshold(mask, b, 0, 255, ThresholdTypes.Binary);
        return b;
    }

    /// <summary>Fraction of non-zero pixels per cell of size step (float 0-1) at the given grid size.
    /// The mask is 8-bit 0/255, or a 32F 0-1 fraction. Cells are summed from the mask's integral
    /// image: one cheap full-resolution pass instead of a float conversion, a padded copy and an
    /// area resize (several per frame, ~2 ms each at 1280x1024). Cells that run past the image
    /// edge are the fraction of their in-image part.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe Mat ResizeFraction(Mat mask, Size grid, int step)
    {
        if (mask.Type() == MatType.CV_8UC1)
        {
            return ByteMaskFraction(mask, grid, step);
        }

        var isFloat = mask.Type() == MatType.CV_32FC1;
        using var integral = new Mat();
        Cv2.Integral(mask, integral, isFloat ? MatType.CV_64F : MatType.CV_32S);
        var unit = isFloat ? 1.0 : 1.0 / 255.0;
        var rows = mask.Rows;
        var cols = mask.Cols;
        var values = new float[grid.Width * grid.Height];
        for (var gy = 0; gy < grid.Height; gy++)
        {
            var y0 = Math.Min(gy * step, rows - 1);
            var y1 = Math.Min(y0 + step, rows);
            var top = integral.Ptr(y0);
            var bottom = integral.Ptr(y1);
            for (var gx = 0; gx < grid.Width; gx++)
            {
                var x0 = Math.Min(gx * step, cols - 1);
                var x1 = Math.Min(x0 + step, cols);
                double sum = isFloat
                    ? ((double*)bottom)[x1] - ((double*)bottom)[x0] - ((double*)top)[x1] + ((double*)top)[x0]
                    : ((int*)bottom)[x1] - ((int*)bottom)[x0] - ((int*)top)[x1] + ((int*)top)[x0];
                values[(gy * grid.Width) + gx] = (float)(sum * unit / ((y1 - y0) * (double)(x1 - x0)));
            }
        }

        var result = new Mat(grid, MatType.CV_32FC1);
        SetValues(result, values);
        return result;
    }

    /// <summary>
    /// <see cref="ResizeFraction"/> of an 8-bit mask from <see cref="BlockSums"/>: the same integer
    /// sums the integral image gives, in one read of the mask instead of a 4-byte-per-pixel
    /// integral image per call.
    /// </summary>
    private static Mat ByteMaskFraction(Mat mask, Size grid, int step)
    {
        var sums = BlockSums(mask, 1, grid, step, out var pixels);
        var values = new float[sums.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(sums[i] * (1.0 / 255.0) / pixels[i]);
        }

        var result = new Mat(grid, MatType.CV_32FC1);
        SetValues(result, values);
        return result;
    }

    /// <summary>
    /// Mean colour of each step x step block of an 8-bit 3-channel image (blocks past the right
    /// or bottom edge average their in-image part), rounded to the nearest level: the same cells
    /// as <see cref="ResizeFraction"/>, from <see cref="BlockSums"/>.
    /// </summary>
    private static Mat BlockMeans(Mat bgr, Size grid, int step)
    {
        var sums = BlockSums(bgr, 3, grid, step, out var pixels);
        var values = new byte[sums.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var n = (long)pixels[i / 3];
            values[i] = (byte)((sums[i] + (n / 2)) / n);
        }

        var result = new Mat(grid, MatType.CV_8UC3);
        SetValues(result, values);
        return result;
    }

    /// <summary>
    /// Per-channel pixel sums of each step x step block of an 8-bit image with
    /// <paramref name="channels"/> interleaved channels (blocks past the right or bottom edge sum
    /// their in-image part; <paramref name="pixels"/> gets each block's pixel count). The rows of
    /// one band of blocks are added into integer column sums (vectorised widening adds), then each
    /// block sums its columns: one read of the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe long[] BlockSums(Mat image, int channels, Size grid, int step, out int[] pixels)
    {
        var rows = image.Rows;
        var cols = image.Cols;
        var sums = new long[channels * grid.Width * grid.Height];
        pixels = new int[grid.Width * grid.Height];
        var columnSums = new int[channels * cols];
        var data = (byte*)image.Data;
        var stride = image.Step();
        for (var gy = 0; gy < grid.Height; gy++)
        {
            var y0 = Math.Min(gy * step, rows - 1);
            var y1 = Math.Min(y0 + step, rows);
            Array.Clear(columnSums);
            for (var y = y0; y < y1; y++)
            {
                AddRow(new ReadOnlySpan<byte>(data + (y * stride), channels * cols), columnSums);
            }

            for (var gx = 0; gx < grid.Width; gx++)
            {
                var x0 = Math.Min(gx * step, cols - 1);
                var x1 = Math.Min(x0 + step, cols);
                var cell = (gy * grid.Width) + gx;
                pixels[cell] = (y1 - y0) * (x1 - x0);
                for (var x = x0; x < x1; x++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        sums[(channels * cell) + c] += columnSums[(channels * x) + c];
                    }
                }
            }
        }

        return sums;
    }

    /// <summary>Adds the bytes of one row to the column sums (32 bytes per step where AVX2 is there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddRow(ReadOnlySpan<byte> row, Span<int> sums)
    {
        var length = row.Length;
        var x = 0;
        fixed (byte* r = row)
        fixed (int* s = sums)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                for (; x <= length - 32; x += 32)
                {
                    var (lo, hi) = Vector256.Widen(Vector256.Load(r + x));
                    var (a, b) = Vector256.Widen(lo);
                    var (c, d) = Vector256.Widen(hi);
                    Vector256.Store(Vector256.Load(s + x) + a.AsInt32(), s + x);
                    Vector256.Store(Vector256.Load(s + x + 8) + b.AsInt32(), s + x + 8);
                    Vector256.Store(Vector256.Load(s + x + 16) + c.AsInt32(), s + x + 16);
                    Vector256.Store(Vector256.Load(s + x + 24) + d.AsInt32(), s + x + 24);
                }
            }

            for (; x < length; x++)
            {
                s[x] += r[x];
            }
        }
    }

    private static bool Inside(Mat mask, PointPixels p)
    {
        var x = (int)Math.Floor(p.X);
        var y = (int)Math.Floor(p.Y);
        return x >= 0 && y >= 0 && x < mask.Cols && y < mask.Rows && mask.At<byte>(y, x) != 0;
    }
}
