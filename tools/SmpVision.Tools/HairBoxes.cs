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
}
