using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// Session 13 (tri22): a stem taken by its tip end (opening placed at the wrong end) joins by
/// opening at that end (FollicularUnitJoin.JoinFlippedStemsAtFarEnd), capped at 4 hairs a unit.
/// </summary>
public sealed class FollicularUnitFlippedStemJoinTests
{
    private static int Root(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            i = parent[i];
        }

        return i;
    }

    // A 3-hair unit, shafts running +y from openings 25 px apart (outer ones 50 px apart, beyond
    // the 30 px join distance); the middle hair's opening was placed at its tip (125,250).
    private static (List<PointPixels> Emergence, List<PointPixels> Far) ThreeHairUnitMiddleFlipped() =>
        ([new(100, 100), new(125, 250), new(150, 100)], [new(100, 300), new(125, 102), new(150, 300)]);

    private static int[] Group(List<PointPixels> emergence, List<PointPixels> far, int[] hairsOfStem, bool flippedJoin)
    {
        var parent = Enumerable.Range(0, emergence.Count).ToArray();
        FollicularUnitJoin.JoinByOpening(parent, emergence, far, 30, 90, 20);
        var flipped = HairInstanceExtractor.JoinWrongEndStems(parent, emergence, far, 40, 30);
        if (flippedJoin)
        {
            FollicularUnitJoin.JoinFlippedStemsAtFarEnd(parent, emergence, far, flipped, hairsOfStem, 30, 90, 20, 4);
        }

        return parent;
    }

    [Fact]
    public void A_flipped_middle_hair_bridges_its_units_outer_hairs()
    {
        var (emergence, far) = ThreeHairUnitMiddleFlipped();
        var parent = Group(emergence, far, [1, 1, 1], flippedJoin: true);
        Assert.Equal(Root(parent, 0), Root(parent, 1));
        Assert.Equal(Root(parent, 1), Root(parent, 2));

        // Without the join the wrong-end join takes the middle hair into one side only: two units.
        parent = Group(emergence, far, [1, 1, 1], flippedJoin: false);
        Assert.Equal(2, Enumerable.Range(0, 3).Select(i => Root(parent, i)).Distinct().Count());
    }

    [Fact]
    public void The_join_never_makes_a_unit_of_more_than_four_hairs()
    {
        // The left stem is a region of three hairs: 3 + 1 + 1 would be a unit of five.
        var (emergence, far) = ThreeHairUnitMiddleFlipped();
        var parent = Group(emergence, far, [3, 1, 1], flippedJoin: true);
        Assert.NotEqual(Root(parent, 0), Root(parent, 2));
    }

    [Fact]
    public void A_stem_leaving_the_far_end_in_the_opposite_direction_is_not_joined()
    {
        // Stem 3's opening lies beside the flipped stem's real opening but its shaft runs -y (a
        // neighbouring unit's hair whose tip ends there): opposed, so not the same opening.
        var (emergence, far) = ThreeHairUnitMiddleFlipped();
        emergence.Add(new(110, 90));
        far.Add(new(110, -110));
        var parent = Group(emergence, far, [1, 1, 1, 1], flippedJoin: true);
        Assert.NotEqual(Root(parent, 1), Root(parent, 3));
    }

    [Fact]
    public void Negative_unit_size_caps_do_not_validate()
    {
        Assert.Empty(new HairInstanceOptions().Validate());
        Assert.NotEmpty(new HairInstanceOptions { FollicularUnitMaxHairs = -1 }.Validate());
    }
}
