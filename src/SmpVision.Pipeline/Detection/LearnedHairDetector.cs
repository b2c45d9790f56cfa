using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Detection;

/// <summary>
/// The learned hair detector (models/README.md, hair-detector): resizes the frame to the model's
/// input scale (90.25 px/mm, area averaging), runs the network once, and turns its outputs into
/// hair instances (centre, direction, length, width, follicular unit) and a shaft mask. Counting
/// rules: every decoded hair is a visible hair (what the hand counts measure); a hair counts in
/// density (edge rule) when its centre lies in the analysable area, an unbiased rule for frames
/// that tile the scalp since each shaft has one centre.
/// </summary>
internal static class LearnedHairDetector
{
    /// <summary>Shaft probability at or above which an output cell is a shaft pixel.</summary>
    private const double ShaftProbability = 0.5;

    /// <summary>Skin-level window of the relative darkness that colour reads, in model-input pixels (~170 um at 90 px/mm: wider than any shaft).</summary>
    private const int SkinWindowPixels = 15;

    public static HairDetection Detect(Mat bgr, Mat analysable, Scale? scale, double sizingPpm, HairDetectorOptions options, HairInstanceOptions widthClasses, CancellationToken ct)
    {
        var model = HairDetectorModel.Get(options.ModelPath, options.IntraOpThreads);
        double factor = model.InputPixelsPerMillimetre / sizingPpm; // model pixels per frame pixel
        int w = Math.Max(8, (int)Math.Round(bgr.Cols * factor)), h = Math.Max(8, (int)Math.Round(bgr.Rows * factor));
        var small = new Mat();
        HairSegmentation? working = null;
        try
        {
            Cv2.Resize(bgr, small, new Size(w, h), 0, 0, factor < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
            ct.ThrowIfCancellationRequested();
            var outputs = model.TestTimeAugmentation == "d4" ? InferD4(model, small, ct) : Infer(model, small, ct);
            int stride = model.OutputStride;
            var (gridHairs, gridUnits) = HairDetectionDecoder.Decode(outputs, outputs.Width, outputs.Height,
                options.HairThreshold ?? model.HairThreshold, options.UnitThreshold ?? model.UnitThreshold);
            working = Working(small, analysable, outputs, w, h, factor);
            small = null!;
            var hairMask = FullMask(working.HairMask, analysable);
            var extraction = Instances(gridHairs, gridUnits, new GridToFrame(stride, factor), analysable, scale, widthClasses);
            return new HairDetection(working, hairMask, extraction, model.Identifier) { Learned = true };
        }
        catch
        {
            small?.Dispose();
            working?.Dispose();
            throw;
        }
    }

    /// <summary>One network run on the frame, the outputs cropped to the unpadded grid.</summary>
    private static DetectorOutputs Infer(HairDetectorModel model, Mat small, CancellationToken ct)
    {
        int pw = (small.Cols + 7) / 8 * 8, ph = (small.Rows + 7) / 8 * 8, s = model.OutputStride;
        var o = model.Run(Tensor(small, pw, ph), ph, pw, ct);
        int wv = (small.Cols + s - 1) / s, hv = (small.Rows + s - 1) / s;
        float[] Crop(float[] a)
        {
            var c = new float[wv * hv];
            for (int y = 0; y < hv; y++)
            {
                Array.Copy(a, y * o.Width, c, y * wv, wv);
            }

            return c;
        }

        return new DetectorOutputs(wv, hv, Crop(o.HairCentre), Crop(o.UnitCentre), Crop(o.LogBoxWidth), Crop(o.LogBoxHeight), Crop(o.Shaft));
    }

    private static readonly RotateFlags?[] Rotations = [null, RotateFlags.Rotate90Clockwise, RotateFlags.Rotate180, RotateFlags.Rotate90Counterclockwise];

    /// <summary>
    /// The outputs averaged over the 8 rotations and flips of the frame (the dihedral group D4),
    /// each mapped back to the frame: counts do not change when the frame is rotated by 90
    /// degrees or flipped, and the average is steadier near the threshold. The model's metadata
    /// asks for it (`smpvision.test_time_augmentation = d4`): its thresholds were picked on
    /// validation patients for exactly this average (tools/training/detector_calibration.py).
    /// A box's width and height swap under a quarter turn.
    /// </summary>
    private static DetectorOutputs InferD4(HairDetectorModel model, Mat small, CancellationToken ct)
    {
        DetectorOutputs? sum = null;
        foreach (var rotation in Rotations)
        {
            foreach (bool flip in new[] { false, true })
            {
                ct.ThrowIfCancellationRequested();
                using var t = new Mat();
                if (rotation is { } r) Cv2.Rotate(small, t, r); else small.CopyTo(t);
                if (flip) Cv2.Flip(t, t, FlipMode.Y);
                var o = Infer(model, t, ct);
                bool swap = rotation is RotateFlags.Rotate90Clockwise or RotateFlags.Rotate90Counterclockwise;
                var back = new DetectorOutputs(0, 0,
                    Back(o.HairCentre, o, rotation, flip, out int bw, out int bh), Back(o.UnitCentre, o, rotation, flip, out _, out _),
                    Back(swap ? o.LogBoxHeight : o.LogBoxWidth, o, rotation, flip, out _, out _), Back(swap ? o.LogBoxWidth : o.LogBoxHeight, o, rotation, flip, out _, out _),
                    Back(o.Shaft, o, rotation, flip, out _, out _));
                back = back with { Width = bw, Height = bh };
                sum = sum is null ? back : Add(sum, back);
            }
        }

        return Scale(sum!, 1f / 8);
    }

    /// <summary>An output map of a transformed frame mapped back to the frame's grid (flip undone first, then the rotation).</summary>
    private static float[] Back(float[] map, DetectorOutputs o, RotateFlags? rotation, bool flip, out int width, out int height)
    {
        using var m = Mat.FromPixelData(o.Height, o.Width, MatType.CV_32FC1, map);
        using var t = new Mat();
        if (flip) Cv2.Flip(m, t, FlipMode.Y); else m.CopyTo(t);
        if (rotation is { } r)
        {
            var inverse = r switch
            {
                RotateFlags.Rotate90Clockwise => RotateFlags.Rotate90Counterclockwise,
                RotateFlags.Rotate90Counterclockwise => RotateFlags.Rotate90Clockwise,
                _ => RotateFlags.Rotate180,
            };
            Cv2.Rotate(t, t, inverse);
        }

        width = t.Cols;
        height = t.Rows;
        var result = new float[width * height];
        t.GetArray(out float[] data);
        Array.Copy(data, result, result.Length);
        return result;
    }

    private static DetectorOutputs Add(DetectorOutputs a, DetectorOutputs b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
        {
            throw new InvalidOperationException($"D4 outputs differ in size: {a.Width}x{a.Height} and {b.Width}x{b.Height}.");
        }

        static float[] Sum(float[] x, float[] y)
        {
            for (int i = 0; i < x.Length; i++) x[i] += y[i];
            return x;
        }

        return a with { HairCentre = Sum(a.HairCentre, b.HairCentre), UnitCentre = Sum(a.UnitCentre, b.UnitCentre), LogBoxWidth = Sum(a.LogBoxWidth, b.LogBoxWidth), LogBoxHeight = Sum(a.LogBoxHeight, b.LogBoxHeight), Shaft = Sum(a.Shaft, b.Shaft) };
    }

    private static DetectorOutputs Scale(DetectorOutputs a, float f)
    {
        foreach (var arr in new[] { a.HairCentre, a.UnitCentre, a.LogBoxWidth, a.LogBoxHeight, a.Shaft })
        {
            for (int i = 0; i < arr.Length; i++) arr[i] *= f;
        }

        return a;
    }

    /// <summary>BGR 8-bit -> RGB planar float, (v/255 - 0.5)/0.25, padded by reflection to pw x ph (the trainer's normalisation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float[] Tensor(Mat small, int pw, int ph)
    {
        using var padded = new Mat();
        Cv2.CopyMakeBorder(small, padded, 0, ph - small.Rows, 0, pw - small.Cols, BorderTypes.Reflect101);
        var t = new float[3 * pw * ph];
        int plane = pw * ph;
        for (int y = 0; y < ph; y++)
        {
            byte* p = MatPixels.Row(padded, y);
            int row = y * pw;
            for (int x = 0; x < pw; x++)
            {
                t[row + x] = (p[(3 * x) + 2] * (4f / 255f)) - 2f;
                t[plane + row + x] = (p[(3 * x) + 1] * (4f / 255f)) - 2f;
                t[(2 * plane) + row + x] = (p[3 * x] * (4f / 255f)) - 2f;
            }
        }

        return t;
    }

    /// <summary>The working-scale set colour and quality read: the model's input frame, its shaft mask, grey, relative darkness, analysable mask.</summary>
    private static HairSegmentation Working(Mat small, Mat analysable, DetectorOutputs o, int w, int h, double factor)
    {
        var mask = new Mat();
        var rel = new Mat();
        var grey = new Mat();
        var ana = new Mat();
        try
        {
            using (var shaft = Mat.FromPixelData(o.Height, o.Width, MatType.CV_32FC1, o.Shaft))
            using (var cropped = new Mat(shaft, new Rect(0, 0, Math.Min(o.Width, (w + 1) / 2), Math.Min(o.Height, (h + 1) / 2))))
            using (var up = new Mat())
            {
                Cv2.Resize(cropped, up, new Size(w, h), 0, 0, InterpolationFlags.Linear);
                Cv2.Threshold(up, up, ShaftProbability, 255, ThresholdTypes.Binary);
                up.ConvertTo(mask, MatType.CV_8UC1);
            }

            Cv2.Resize(analysable, ana, new Size(w, h), 0, 0, InterpolationFlags.Area);
            Cv2.Threshold(ana, ana, 127, 255, ThresholdTypes.Binary);
            Cv2.BitwiseAnd(mask, ana, mask);
            Cv2.CvtColor(small, grey, ColorConversionCodes.BGR2GRAY);
            using (var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(SkinWindowPixels, SkinWindowPixels)))
            using (var bg = new Mat())
            {
                HairSegmenter.LocalSkinLevel(grey, kernel, SkinWindowPixels, bg);
                rel.Create(grey.Size(), MatType.CV_8UC1);
                HairSegmenter.RelativeDarkness(grey, bg, rel, 0);
            }

            return new HairSegmentation(mask, rel, grey, ana, factor, small);
        }
        catch
        {
            mask.Dispose(); rel.Dispose(); grey.Dispose(); ana.Dispose();
            throw;
        }
    }

    private static Mat FullMask(Mat workingMask, Mat analysable)
    {
        var full = new Mat();
        Cv2.Resize(workingMask, full, analysable.Size(), 0, 0, InterpolationFlags.Linear);
        Cv2.Threshold(full, full, 127, 255, ThresholdTypes.Binary);
        Cv2.BitwiseAnd(full, analysable, full);
        return full;
    }

    /// <summary>Grid hairs and units -> full-resolution hair instances with physical sizes and width classes (DOMAIN.md), and units.</summary>
    private static HairExtraction Instances(IReadOnlyList<GridHair> grid, IReadOnlyList<GridUnit> units, GridToFrame map, Mat analysable, Scale? scale, HairInstanceOptions o)
    {
        var unitOf = new int[grid.Count];
        for (int u = 0; u < units.Count; u++)
        {
            foreach (var i in units[u].HairIndices)
            {
                unitOf[i] = u;
            }
        }

        var hairs = new List<HairInstance>(grid.Count);
        for (int i = 0; i < grid.Count; i++)
        {
            hairs.Add(Instance(i, grid[i], units[unitOf[i]], unitOf[i], map, analysable, scale, o));
        }

        var fus = units.Select((u, id) => new FollicularUnit(id, map.Point(u.CentreX, u.CentreY), u.HairIndices.ToArray())).ToList();
        double medianWidth = hairs.Count > 0 ? hairs.Select(x => x.WidthPixels).Order().ElementAt(hairs.Count / 2) : 0;
        return new HairExtraction(hairs, fus, medianWidth, hairs.Count > 0);
    }

    private static HairInstance Instance(int id, GridHair g, GridUnit unit, int unitId, GridToFrame map, Mat analysable, Scale? scale, HairInstanceOptions o)
    {
        double half = 0.5 * g.LengthCells;
        var a = map.Point(g.CentreX + (half * g.DirectionX), g.CentreY + (half * g.DirectionY));
        var b = map.Point(g.CentreX - (half * g.DirectionX), g.CentreY - (half * g.DirectionY));
        var centre = map.Point(g.CentreX, g.CentreY);
        // The opening is the end nearer the unit's centre when the unit has several hairs (they
        // converge there); a lone hair's boxes cannot tell its ends apart, so its first end is kept.
        var unitCentre = map.Point(unit.CentreX, unit.CentreY);
        bool aIsOpening = unit.HairIndices.Count < 2 || HairInstanceExtractor.Dist2(a, unitCentre) <= HairInstanceExtractor.Dist2(b, unitCentre);
        var (emergence, tip) = aIsOpening ? (a, b) : (b, a);
        double lengthPx = g.LengthCells * map.PixelsPerCell, widthPx = g.WidthCells * map.PixelsPerCell;
        double? widthUm = scale is null ? null : widthPx * scale.MicrometresPerPixel;
        return new HairInstance(id, emergence, tip, lengthPx, widthPx, unitId, !HairInstanceExtractor.IsSet(analysable, a) || !HairInstanceExtractor.IsSet(analysable, b))
        {
            WidthMicrometres = widthUm,
            LengthMicrometres = scale is null ? null : lengthPx * scale.MicrometresPerPixel,
            WidthClass = HairInstanceExtractor.WidthClassOf(widthUm, o),
            CountedInDensity = HairInstanceExtractor.IsSet(analysable, centre),
        };
    }

    /// <summary>Output cell -> frame pixel: cell i sits on model pixel stride x i (the trainer's targets), model pixel j on frame pixel (j + 0.5) / factor - 0.5.</summary>
    private readonly record struct GridToFrame(int Stride, double Factor)
    {
        public double PixelsPerCell => Stride / Factor;

        public PointPixels Point(double cx, double cy) => new((((cx * Stride) + 0.5) / Factor) - 0.5, (((cy * Stride) + 0.5) / Factor) - 0.5);
    }
}
