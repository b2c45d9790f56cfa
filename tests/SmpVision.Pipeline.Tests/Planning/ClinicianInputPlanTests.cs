using OpenCvSharp;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Planning;

namespace SmpVision.Pipeline.Tests.Planning;

/// <summary>The clinician's drawing overrides the automatic plan: treatment areas, exclusions, hairline, spacing.</summary>
public sealed class ClinicianInputPlanTests
{
    // 800 x 400 px at 20 px/mm = 40 x 20 mm of hairless scalp.
    private static SmpPlan PlanHairless(PlanningOptions options)
    {
        using var image = PlanFixtures.Skin(800, 400);
        var hairs = new List<HairInstance>();
        var units = new List<FollicularUnit>();
        using var map = PlanFixtures.Map(image, [(new Rect(0, 0, 800, 400), RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);
        return SmpPlanner.Plan(map, hairs, units, null, options with { ClinicReferenceFollicularUnitsPerSquareCentimetre = 100 }, CancellationToken.None);
    }

    private static PolygonPixels Box(double x0, double y0, double x1, double y1) =>
        new([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1)]);

    /// <summary>Even-odd point-in-polygon test.</summary>
    private static bool Inside(PolygonPixels polygon, PointPixels p)
    {
        var v = polygon.Vertices;
        bool inside = false;
        for (int i = 0, j = v.Count - 1; i < v.Count; j = i++)
        {
            if ((v[i].Y > p.Y) != (v[j].Y > p.Y) && p.X < ((v[j].X - v[i].X) * (p.Y - v[i].Y) / (v[j].Y - v[i].Y)) + v[i].X)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    [Fact]
    public void A_drawn_treatment_polygon_gets_dots_only_inside_it()
    {
        // A triangle over part of the hairless area: the rest of the hairless scalp gets nothing.
        var triangle = new PolygonPixels([new(100, 350), new(400, 50), new(700, 350)]);
        var plan = PlanHairless(new PlanningOptions { TreatmentAreas = [triangle] });

        Assert.NotEmpty(plan.Dots);
        // One pixel of slack: polygons are rasterised to whole pixels.
        Assert.All(plan.Dots, d => Assert.True(Inside(triangle, d.Position) || DistanceToOutline(triangle, d.Position) <= 1.5, $"dot at {d.Position} outside the treatment area"));
        // Triangle area 600 x 300 / 2 px = 225 mm2 = 2.25 cm2 at 100 dots/cm2 -> ~225 dots.
        Assert.InRange(plan.Dots.Count, 205, 240);
    }

    [Fact]
    public void An_exclusion_polygon_gets_no_dots()
    {
        var mole = Box(300, 100, 500, 300);
        var plan = PlanHairless(new PlanningOptions { Exclusions = [mole] });

        Assert.NotEmpty(plan.Dots);
        Assert.DoesNotContain(plan.Dots, d => d.Position.X > 301 && d.Position.X < 499 && d.Position.Y > 101 && d.Position.Y < 299);
        // Dots still fill the rest: 8 cm2 - 1 cm2 excluded = 7 cm2 at 100/cm2.
        Assert.InRange(plan.Dots.Count, 650, 720);
    }

    [Fact]
    public void A_drawn_hairline_moves_the_feathering_onto_it()
    {
        // A diagonal hairline from the top-left to the bottom-right corner region; feather 5 mm = 100 px.
        var line = new List<PointPixels> { new(0, 0), new(800, 400) };
        var plan = PlanHairless(new PlanningOptions { HairlinePolyline = line, FeatherWidthMillimetres = 5 });

        static double DistanceToLine(PointPixels p) => Math.Abs((400 * p.X) - (800 * p.Y)) / Math.Sqrt((400 * 400) + (800 * 800));
        var feathered = plan.Dots.Where(d => d.InHairlineFeather).ToList();
        Assert.NotEmpty(feathered);
        // Feathered dots lie within the feather width of the drawn line, unfeathered ones beyond it.
        Assert.All(feathered, d => Assert.True(DistanceToLine(d.Position) <= 101, $"feathered dot {d.Position} is {DistanceToLine(d.Position):F0} px from the drawn line"));
        Assert.All(plan.Dots.Where(d => !d.InHairlineFeather), d => Assert.True(DistanceToLine(d.Position) >= 98));
        // Density next to the line is below the body density (40% at the edge, Tsai 2002).
        double near = Density(plan, p => DistanceToLine(p) < 30);
        double far = Density(plan, p => DistanceToLine(p) is > 150 and < 250);
        Assert.True(near < 0.8 * far, $"near {near:F5} vs far {far:F5} dots/px2");
        Assert.Equal(40, plan.Regions.Single().HairlineEdgeDotsPerSquareCentimetre!.Value, 6);
    }

    [Fact]
    public void A_clinician_dot_spacing_sets_the_minimum_distance()
    {
        // 100 FU/cm2: mean spacing 1 mm = 20 px; 0.8 mm -> fraction 0.8.
        var plan = PlanHairless(new PlanningOptions { MinDotSpacingMillimetres = 0.8 });
        Assert.Equal(16, plan.MinDotSpacingPixels!.Value, 6);
        var dots = plan.Dots.Where(d => d.Session == 1).Select(d => d.Position).ToList();
        Assert.DoesNotContain(plan.Warnings, w => w.Code == "dot-spacing-out-of-range");

        // Out of the packable range: clamped, with a warning that says why.
        var wide = PlanHairless(new PlanningOptions { MinDotSpacingMillimetres = 2.0 });
        Assert.Contains(wide.Warnings, w => w.Code == "dot-spacing-out-of-range");
        Assert.Equal(17, wide.MinDotSpacingPixels!.Value, 6);
    }

    /// <summary>Dots per pixel over the part of the 800 x 400 image a predicate selects.</summary>
    private static double Density(SmpPlan plan, Func<PointPixels, bool> where)
    {
        int area = 0;
        for (int y = 0; y < 400; y++)
        {
            for (int x = 0; x < 800; x++)
            {
                area += where(new PointPixels(x + 0.5, y + 0.5)) ? 1 : 0;
            }
        }

        return plan.Dots.Count(d => where(d.Position)) / (double)area;
    }

    private static double DistanceToOutline(PolygonPixels polygon, PointPixels p)
    {
        var v = polygon.Vertices;
        double best = double.MaxValue;
        for (int i = 0; i < v.Count; i++)
        {
            var a = v[i];
            var b = v[(i + 1) % v.Count];
            double dx = b.X - a.X, dy = b.Y - a.Y;
            double t = Math.Clamp((((p.X - a.X) * dx) + ((p.Y - a.Y) * dy)) / ((dx * dx) + (dy * dy)), 0, 1);
            double ex = a.X + (t * dx) - p.X, ey = a.Y + (t * dy) - p.Y;
            best = Math.Min(best, Math.Sqrt((ex * ex) + (ey * ey)));
        }

        return best;
    }
}
