using OpenCvSharp;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Planning;

namespace SmpVision.Pipeline.Tests.Planning;

public sealed class SmpPlannerTests
{
    // 400 x 300 px at 20 px/mm = 20 x 15 mm.
    private static readonly Rect LeftHalf = new(0, 0, 200, 300);
    private static readonly Rect RightHalf = new(200, 0, 200, 300);

    [Fact]
    public void Uses_patient_reference_when_enough_was_measured()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(LeftHalf, 80, hairs, units);
        using var map = PlanFixtures.Map(image, [(RightHalf, RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 120, IncludeDotLayout = false }, CancellationToken.None);

        Assert.Equal(ReferenceDensitySource.PatientMeasured, plan.Reference.Source);
        Assert.InRange(plan.Reference.FollicularUnitsPerSquareCentimetre, 72, 88);
        Assert.Equal(plan.Reference.FollicularUnitsPerSquareCentimetre, plan.Regions.Single(r => r.Class == RegionClass.Hairless).TargetDotsPerSquareCentimetre, 6);
    }

    [Fact]
    public void Falls_back_to_clinic_then_zone_default_when_too_few_units()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(new Rect(0, 0, 60, 60), 80, hairs, units); // ~7 FU: not enough
        using var map = PlanFixtures.Map(image, [(RightHalf, RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);

        var clinic = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 72, IncludeDotLayout = false }, CancellationToken.None);
        Assert.Equal(ReferenceDensitySource.ClinicRequest, clinic.Reference.Source);
        Assert.Equal(72, clinic.Reference.FollicularUnitsPerSquareCentimetre);

        var zone = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { Zone = ScalpZone.Temporal, IncludeDotLayout = false }, CancellationToken.None);
        Assert.Equal(ReferenceDensitySource.ZoneDefault, zone.Reference.Source);
        Assert.Equal(100.0 * 70 / 82, zone.Reference.FollicularUnitsPerSquareCentimetre, 6);
        Assert.Contains(zone.Warnings, w => w.Code == "reference-not-measured");
    }

    [Fact]
    public void Thinning_gets_only_the_gap_and_hair_bearing_gets_nothing()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(RightHalf, 25, hairs, units);
        using var map = PlanFixtures.Map(image, [(RightHalf, RegionClass.Thinning)], hairs, units, PlanFixtures.Scale);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 100, IncludeDotLayout = false }, CancellationToken.None);

        var thinning = plan.Regions.Single(r => r.Class == RegionClass.Thinning);
        Assert.NotNull(thinning.ExistingFollicularUnitsPerSquareCentimetre);
        Assert.Equal(100 - thinning.ExistingFollicularUnitsPerSquareCentimetre!.Value, thinning.TargetDotsPerSquareCentimetre, 6);
        Assert.InRange(thinning.TargetDotsPerSquareCentimetre, 70, 80);
        Assert.All(plan.Regions.Where(r => r.Class == RegionClass.HairBearing), r => Assert.False(r.Pigmented));
    }

    [Fact]
    public void Sessions_build_up_30_70_100_and_keep_earlier_dots()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        using var map = PlanFixtures.Map(image, [(new Rect(0, 0, 400, 300), RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 100 }, CancellationToken.None);

        var region = Assert.Single(plan.Regions);
        Assert.Equal([0.3, 0.7, 1.0], region.Sessions.Select(s => s.CumulativeFraction));
        Assert.Equal([30.0, 70.0, 100.0], region.Sessions.Select(s => Math.Round(s.CumulativeDotsPerSquareCentimetre, 6)));
        // 3 cm2 at 100 dots/cm2: 90, 210, 300 dots.
        Assert.Equal([90, 210, 300], region.Sessions.Select(s => s.CumulativeDotCount!.Value));
        Assert.Equal([90, 120, 90], region.Sessions.Select(s => s.AddedDotCount!.Value));
        Assert.Equal(90, plan.Dots.Count(d => d.Session == 1));
        Assert.Equal(300, plan.Dots.Count);
    }

    [Fact]
    public void Poisson_disc_layout_keeps_min_spacing_and_hits_density()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        using var map = PlanFixtures.Map(image, [(new Rect(0, 0, 400, 300), RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 100 }, CancellationToken.None);

        // 100 dots/cm2 = 1 dot/mm2: mean spacing 1 mm = 20 px, min spacing 0.75 x 20 = 15 px.
        Assert.Equal(15.0, plan.MinDotSpacingPixels!.Value, 6);
        var min = MinDistance(plan.Dots.Select(d => d.Position).ToList());
        Assert.True(min >= 15.0 - 1e-9, $"closest dots {min:F2} px apart");
        // Blue noise: no large empty holes. The largest empty square cell of 2 mm side must not exist.
        var occupied = new bool[10, 7];
        foreach (var d in plan.Dots)
        {
            occupied[Math.Min(9, (int)(d.Position.X / 40)), Math.Min(6, (int)(d.Position.Y / 40))] = true;
        }

        Assert.All(occupied.Cast<bool>(), Assert.True);
    }

    [Fact]
    public void Dots_keep_clear_of_existing_hairs_in_thinning()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(new Rect(0, 0, 400, 300), 36, hairs, units);
        using var map = PlanFixtures.Map(image, [(new Rect(0, 0, 400, 300), RegionClass.Thinning)], hairs, units, PlanFixtures.Scale);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 100 }, CancellationToken.None);

        var target = plan.Regions.Single().TargetDotsPerSquareCentimetre;
        Assert.Equal((int)Math.Round(target * 3), plan.Dots.Count);
        var closest = plan.Dots.Min(d => units.Min(u => Distance(d.Position, u.Centre)));
        Assert.True(closest >= 15.0 - 1e-9, $"a dot sits {closest:F2} px from a hair");
    }

    [Fact]
    public void Hairline_feathering_lowers_density_at_the_leading_edge()
    {
        // 40 x 20 mm hairless band; hairline at the top, feather over 10 mm.
        using var image = PlanFixtures.Skin(800, 400);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        using var map = PlanFixtures.Map(image, [(new Rect(0, 0, 800, 400), RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);
        var options = new PlanningOptions { ClinicReferenceFollicularUnitsPerSquareCentimetre = 100, HairlineEdge = HairlineEdge.Top, FeatherWidthMillimetres = 10 };

        var plan = SmpPlanner.Plan(map, hairs, units, null, options, CancellationToken.None);

        // Top 2 mm: multiplier 0.4 -> 0.52 (mean 0.46); bottom 10 mm: 1.0.
        var top = plan.Dots.Count(d => d.Position.Y < 40) / (40.0 * 2);
        var body = plan.Dots.Count(d => d.Position.Y >= 200) / (40.0 * 10);
        Assert.InRange(top / body, 0.30, 0.62);
        Assert.Equal(40, plan.Regions.Single().HairlineEdgeDotsPerSquareCentimetre!.Value, 6);
        Assert.All(plan.Dots.Where(d => d.Position.Y < 40), d => Assert.True(d.InHairlineFeather));
    }

    [Fact]
    public void Scars_get_a_touch_up_session_and_a_fading_flag()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(LeftHalf, 100, hairs, units);
        using var map = PlanFixtures.Map(image, [(new Rect(250, 20, 40, 260), RegionClass.Scar)], hairs, units, PlanFixtures.Scale);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions(), CancellationToken.None);

        var scar = plan.Regions.Single(r => r.Class == RegionClass.Scar);
        Assert.Equal(ScarKind.LinearStrip, scar.ScarKind);
        Assert.True(scar.HighFadingRisk);
        Assert.True(scar.ExtraTouchUpSession);
        Assert.Equal(4, scar.Sessions.Count);
        Assert.True(scar.Sessions[^1].IsTouchUp);
    }

    [Fact]
    public void Without_scale_gives_densities_but_no_dots()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        using var map = PlanFixtures.Map(image, [(RightHalf, RegionClass.Hairless)], hairs, units, null);

        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions(), CancellationToken.None);

        Assert.Empty(plan.Dots);
        Assert.Equal(ReferenceDensitySource.ZoneDefault, plan.Reference.Source);
        Assert.Equal(100, plan.Regions.Single(r => r.Class == RegionClass.Hairless).TargetDotsPerSquareCentimetre, 6);
        Assert.Contains(plan.Warnings, w => w.Code == "no-scale-no-dots");
        Assert.All(plan.Regions.SelectMany(r => r.Sessions), s => Assert.Null(s.CumulativeDotCount));
    }

    [Fact]
    public void Pigment_rule_is_lighter_on_fair_skin_and_bolder_on_dark_skin()
    {
        var fair = PigmentRule.Recommend(Colour(new LabColour(75, 8, 14), new LabColour(25, 2, 5)), false);
        var dark = PigmentRule.Recommend(Colour(new LabColour(45, 10, 18), new LabColour(12, 1, 2)), false);
        Assert.True(fair.DilutionLevel < dark.DilutionLevel);
        Assert.Equal(ItaBand.VeryLight, fair.SkinItaBand);
        Assert.Equal(ItaBand.Brown, dark.SkinItaBand);
        Assert.Equal(0.20, fair.BodyNeedleMillimetres);
        Assert.Equal(0.25, dark.BodyNeedleMillimetres);
        Assert.Equal(fair.DilutionLevel - 1 < 1 ? 1 : fair.DilutionLevel - 1, fair.HairlineDilutionLevel);
        var grey = PigmentRule.Recommend(Colour(new LabColour(75, 8, 14), new LabColour(62, 1, 4)), false);
        Assert.True(grey.DilutionLevel <= fair.DilutionLevel);
    }

    [Fact]
    public void Pigment_rule_does_not_read_a_skin_tone_from_blue_cast_skin()
    {
        // b* below zero: blue dye or a colour cast; the old atan2 read this as ITA ~120 ("very light").
        var cast = PigmentRule.Recommend(Colour(new LabColour(62, 4, -3), new LabColour(25, 2, 5)), false);
        Assert.Null(cast.SkinItaDegrees);
        Assert.Equal(ItaBand.Unspecified, cast.SkinItaBand);
        Assert.Equal(new LabColour(62, 4, -3), cast.SkinColour);
        Assert.Contains("unreliable", cast.Rule, StringComparison.Ordinal);
        Assert.Equal(3, cast.DilutionLevel); // middle level, no stubble change (37 L* difference)
    }

    [Fact]
    public void Plan_pigment_uses_the_frame_colour_it_is_given()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(LeftHalf, 80, hairs, units);
        using var map = PlanFixtures.Map(image, [(RightHalf, RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);
        var colour = Colour(new LabColour(45, 10, 18), new LabColour(12, 1, 2));
        var plan = SmpPlanner.Plan(map, hairs, units, colour, new PlanningOptions { IncludeDotLayout = false }, CancellationToken.None);
        Assert.Equal(colour.Skin, plan.Pigment.SkinColour);
        Assert.Equal(colour.Hair, plan.Pigment.HairColour);
        Assert.Equal(colour.IndividualTypologyAngleDegrees, plan.Pigment.SkinItaDegrees);
        Assert.Equal(colour.Band, plan.Pigment.SkinItaBand);
        var none = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { IncludeDotLayout = false }, CancellationToken.None);
        Assert.Null(none.Pigment.SkinColour);
        Assert.Equal(3, none.Pigment.DilutionLevel);
    }

    private static TrichoscopyColour Colour(LabColour skin, LabColour hair) => TrichoscopyColour.From(skin, hair, 1000, 100, calibrated: false);

    [Fact]
    public void Options_validation_rejects_bad_sessions()
    {
        Assert.NotEmpty(new PlanningOptions { CumulativeSessionFractions = [0.5, 0.4, 1.0] }.Validate());
        Assert.NotEmpty(new PlanningOptions { CumulativeSessionFractions = [0.3, 0.7] }.Validate());
        Assert.NotEmpty(new PlanningOptions { SessionNumber = 4 }.Validate());
        Assert.Empty(new PlanningOptions().Validate());
    }

    [Fact]
    public void Preview_renders_a_png()
    {
        using var image = PlanFixtures.Skin(400, 300);
        var hairs = new List<global::SmpVision.Pipeline.Measurement.HairInstance>();
        var units = new List<global::SmpVision.Pipeline.Measurement.FollicularUnit>();
        PlanFixtures.AddUnits(LeftHalf, 60, hairs, units);
        using var map = PlanFixtures.Map(image, [(RightHalf, RegionClass.Hairless)], hairs, units, PlanFixtures.Scale);
        var plan = SmpPlanner.Plan(map, hairs, units, null, new PlanningOptions { SessionNumber = 2, ClinicReferenceFollicularUnitsPerSquareCentimetre = 100 }, CancellationToken.None);

        var png = SmpPlanner.RenderPreviewPng(image, map, plan);

        using var decoded = Cv2.ImDecode(png, ImreadModes.Color);
        Assert.Equal(400, decoded.Cols);
        Assert.Equal(300, decoded.Rows);
        File.WriteAllBytes(Path.Combine(Path.GetTempPath(), "smpvision-plan-preview-test.png"), png);
    }

    private static double Distance(PointPixels a, PointPixels b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    private static double MinDistance(List<PointPixels> points)
    {
        var min = double.MaxValue;
        for (var i = 0; i < points.Count; i++)
        {
            for (var j = i + 1; j < points.Count; j++)
            {
                min = Math.Min(min, Distance(points[i], points[j]));
            }
        }

        return min;
    }
}
