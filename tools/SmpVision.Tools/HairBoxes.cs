using System.Globalization;
using OpenCvSharp;

namespace SmpVision.Tools;

/// <summary>
/// The dev set's per-hair annotation boxes (<c>hairs.csv</c>: image, x_min, y_min, x_max, y_max,
/// label), grouped by image as written in the manifest. Boxes are loose (../shared/data/README.md):
/// use them for counts and matching, not for box IoU.
/// </summary>
internal static class HairBoxes
{
    public static Dictionary<string, List<Rect>> Read(string path)
    {
        var data = DataManifest.Read(path);
        var boxes = new Dictionary<string, List<Rect>>(StringComparer.Ordinal);
        foreach (var row in data.Rows)
        {
            int Int(string column) => int.Parse(data.Cell(row, column)!, CultureInfo.InvariantCulture);
            int x0 = Int("x_min"), y0 = Int("y_min");
            var image = data.ImageName(row);
            if (!boxes.TryGetValue(image, out var list))
            {
                boxes[image] = list = [];
            }

            list.Add(new Rect(x0, y0, Int("x_max") - x0, Int("y_max") - y0));
        }

        return boxes;
    }

    /// <summary>
    /// Follicular units per image as the annotators marked them: boxes labelled <c>premium</c>
    /// that overlap are one unit (data README), every other box a unit of its own (the rule the
    /// detector's trainer used, tools/training/detector_data.py).
    /// </summary>
    public static Dictionary<string, int> UnitCounts(string path)
    {
        var data = DataManifest.Read(path);
        var byImage = new Dictionary<string, List<(Rect Box, bool Premium)>>(StringComparer.Ordinal);
        foreach (var row in data.Rows)
        {
            int Int(string column) => int.Parse(data.Cell(row, column)!, CultureInfo.InvariantCulture);
            int x0 = Int("x_min"), y0 = Int("y_min");
            var image = data.ImageName(row);
            if (!byImage.TryGetValue(image, out var list))
            {
                byImage[image] = list = [];
            }

            list.Add((new Rect(x0, y0, Int("x_max") - x0, Int("y_max") - y0), data.Cell(row, "label") == "premium"));
        }

        return byImage.ToDictionary(kv => kv.Key, kv => CountUnits(kv.Value), StringComparer.Ordinal);
    }

    private static int CountUnits(List<(Rect Box, bool Premium)> boxes)
    {
        var parent = Enumerable.Range(0, boxes.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        for (int i = 0; i < boxes.Count; i++)
        {
            for (int j = i + 1; j < boxes.Count; j++)
            {
                if (boxes[i].Premium && boxes[j].Premium && (boxes[i].Box & boxes[j].Box).Width > 0 && (boxes[i].Box & boxes[j].Box).Height > 0)
                {
                    parent[Find(i)] = Find(j);
                }
            }
        }

        return Enumerable.Range(0, boxes.Count).Select(Find).Distinct().Count();
    }
}
