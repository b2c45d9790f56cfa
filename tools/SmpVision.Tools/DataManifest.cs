using System.Globalization;

namespace SmpVision.Tools;

/// <summary>
/// A data-set manifest: a CSV with a header row whose <c>image</c> column holds paths relative to
/// the manifest's folder (the layout of ../shared/data and of <c>generate</c>'s output). One reader
/// for every command, so that a column is parsed one way everywhere.
/// </summary>
internal sealed class DataManifest
{
    private readonly Dictionary<string, int> columns;

    private DataManifest(string path, string[] header, List<string[]> rows)
    {
        Path = System.IO.Path.GetFullPath(path);
        Root = System.IO.Path.GetDirectoryName(Path)!;
        Header = header;
        columns = header.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
        Rows = rows;
    }

    /// <summary>Full path of the manifest file.</summary>
    public string Path { get; }

    /// <summary>Folder that image paths are relative to.</summary>
    public string Root { get; }

    /// <summary>Column names, trimmed.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows (cells as written), empty lines skipped.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Reads a manifest; it must have an <c>image</c> column.</summary>
    public static DataManifest Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            throw new InvalidDataException($"{path}: empty manifest.");
        }

        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        if (!header.Contains("image", StringComparer.Ordinal))
        {
            throw new InvalidDataException($"{path}: no 'image' column in the header.");
        }

        return new DataManifest(path, header, lines.Skip(1).Select(l => l.Split(',')).ToList());
    }

    /// <summary>Whether the manifest has this column.</summary>
    public bool Has(string column) => columns.ContainsKey(column);

    /// <summary>The image path of a row, resolved against the manifest's folder.</summary>
    public string ImagePath(string[] row) => System.IO.Path.Combine(Root, Cell(row, "image")!);

    /// <summary>The image path as written in the manifest (a short name for reports).</summary>
    public string ImageName(string[] row) => Cell(row, "image")!;

    /// <summary>A cell, or null when the column is absent or the row is short.</summary>
    public string? Cell(string[] row, string column) =>
        columns.TryGetValue(column, out int i) && i < row.Length ? row[i].Trim() : null;

    /// <summary>A numeric cell (invariant culture), or null when absent or not a number.</summary>
    public double? Number(string[] row, string column) =>
        double.TryParse(Cell(row, column), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
}
