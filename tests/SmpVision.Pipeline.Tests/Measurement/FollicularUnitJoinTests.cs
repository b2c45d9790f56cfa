using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>The wrong-end join of follicular-unit grouping (HairInstanceExtractor.JoinWrongEndStems).</summary>
public sealed class FollicularUnitJoinTests
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
    public void A_lone_shaft_whose_tip_end_is_at_a_parallel_neighbours_opening_joins_its_unit()
    {
        // A: opening (100,100), shaft runs +y. B: side by side, its opening misplaced at its tip (110,300).
        var emergence = new List<PointPixels> { new(100, 100), new(110, 300) };
        var far = new List<PointPixels> { new(100, 300), new(110, 105) };
        int[] parent = [0, 1];
        HairInstanceExtractor.JoinWrongEndStems(parent, emergence, far, 30, 30);
        Assert.Equal(Root(parent, 0), Root(parent, 1));
    }

    [Fact]
    public void A_chain_of_two_hairs_stays_two_units()
    {
        // C's tip touches D's opening, both shafts pointing +y: they leave the shared point in opposite directions.
        var emergence = new List<PointPixels> { new(300, 100), new(300, 305) };
        var far = new List<PointPixels> { new(300, 300), new(300, 500) };
        int[] parent = [0, 1];
        HairInstanceExtractor.JoinWrongEndStems(parent, emergence, far, 30, 30);
        Assert.NotEqual(Root(parent, 0), Root(parent, 1));
    }

    [Fact]
    public void A_stem_already_in_a_unit_does_not_bridge_to_another()
    {
        // E1, E2 share an opening; E2's far end lies at the opening of F (parallel): E2 is not lone, so F stays apart.
        var emergence = new List<PointPixels> { new(100, 100), new(110, 100), new(120, 300) };
        var far = new List<PointPixels> { new(100, 290), new(110, 295), new(120, 500) };
        int[] parent = [1, 1, 2];
        HairInstanceExtractor.JoinWrongEndStems(parent, emergence, far, 30, 30);
        Assert.NotEqual(Root(parent, 0), Root(parent, 2));
    }

    [Fact]
    public void Lone_shafts_leaving_nearby_openings_in_one_direction_join()
    {
        // Blur moved both located openings along their shafts: 35 px apart, beyond a 30 px join
        // distance but within a 40 px side-by-side reach, both shafts running +y.
        var emergence = new List<PointPixels> { new(100, 100), new(135, 105) };
        var far = new List<PointPixels> { new(100, 300), new(135, 305) };
        int[] parent = [0, 1];
        HairInstanceExtractor.JoinWrongEndStems(parent, emergence, far, 40, 30);
        Assert.Equal(Root(parent, 0), Root(parent, 1));
    }

    [Fact]
    public void Lone_shafts_leaving_nearby_openings_in_opposite_directions_stay_apart()
    {
        var emergence = new List<PointPixels> { new(100, 100), new(135, 100) };
        var far = new List<PointPixels> { new(100, 300), new(135, -100) };
        int[] parent = [0, 1];
        HairInstanceExtractor.JoinWrongEndStems(parent, emergence, far, 40, 30);
        Assert.NotEqual(Root(parent, 0), Root(parent, 1));
    }
}
