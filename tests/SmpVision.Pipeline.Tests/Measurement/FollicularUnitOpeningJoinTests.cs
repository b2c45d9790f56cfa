using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>The first join of follicular-unit grouping (FollicularUnitJoin.JoinByOpening): by distance, gated by direction.</summary>
public sealed class FollicularUnitOpeningJoinTests
{
    private static int Root(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            i = parent[i];
        }

        return i;
    }

    [Fact]
    public void Parallel_shafts_from_nearby_openings_join()
    {
        var emergence = new List<PointPixels> { new(100, 100), new(115, 102) };
        var far = new List<PointPixels> { new(105, 300), new(125, 300) };
        int[] parent = [0, 1];
        FollicularUnitJoin.JoinByOpening(parent, emergence, far, 30, 90, 20);
        Assert.Equal(Root(parent, 0), Root(parent, 1));
    }

    [Fact]
    public void A_flipped_stem_whose_tip_lies_at_a_neighbours_opening_is_not_joined_to_it()
    {
        // A leaves (100,100) running +y. B's real opening is at (120,-100), its tip near A's
        // opening; its opening was placed at the tip, so it "leaves" (112,95) running -y.
        var emergence = new List<PointPixels> { new(100, 100), new(112, 95) };
        var far = new List<PointPixels> { new(100, 300), new(120, -100) };
        int[] parent = [0, 1];
        FollicularUnitJoin.JoinByOpening(parent, emergence, far, 30, 90, 20);
        Assert.NotEqual(Root(parent, 0), Root(parent, 1));

        // Gate off: joined by distance alone (the behaviour before).
        parent = [0, 1];
        FollicularUnitJoin.JoinByOpening(parent, emergence, far, 30, 0, 20);
        Assert.Equal(Root(parent, 0), Root(parent, 1));
    }

    [Fact]
    public void A_stub_too_short_for_a_direction_joins_by_distance()
    {
        var emergence = new List<PointPixels> { new(100, 100), new(110, 100) };
        var far = new List<PointPixels> { new(100, 300), new(110, 90) };
        int[] parent = [0, 1];
        FollicularUnitJoin.JoinByOpening(parent, emergence, far, 30, 90, 20);
        Assert.Equal(Root(parent, 0), Root(parent, 1));
    }

    [Fact]
    public void Defaults_validate_and_out_of_range_angles_do_not()
    {
        Assert.Empty(new HairInstanceOptions().Validate());
        Assert.NotEmpty(new HairInstanceOptions { FollicularUnitJoinMaxAngleDegrees = 200 }.Validate());
        Assert.NotEmpty(new HairInstanceOptions { FollicularUnitDirectionMinShaftWidths = -1 }.Validate());
    }
}
