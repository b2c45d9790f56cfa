using SmpVision.Records.Storage;

namespace SmpVision.Records;

/// <summary>Where records live, bound from configuration section <c>SmpVision:Records</c>.</summary>
public sealed class RecordStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "SmpVision:Records";

    /// <summary>
    /// Folder of the SQLite file and of the photo files (both stores keep photos here). Relative
    /// paths are resolved against the working directory. Default <c>data</c>.
    /// </summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// PostgreSQL connection string (Npgsql format, e.g. <c>Host=db;Database=smpvision;Username=smpvision;Password=...</c>).
    /// When set, records go to PostgreSQL instead of the embedded SQLite file. Configuration key
    /// <c>SmpVision:Records:PostgresConnectionString</c> (environment <c>SmpVision__Records__PostgresConnectionString</c>).
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Photo files without a row are removed by the sweep once older than this (minutes). Default 10.</summary>
    public double OrphanSweepMinimumAgeMinutes { get; set; } = 10;

    /// <summary>How often the sweep runs (minutes); it also runs at start. Default 60.</summary>
    public double OrphanSweepIntervalMinutes { get; set; } = 60;

    /// <summary>Reasons the options are unusable (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add($"{Section}:DataDirectory must name a folder the service can write.");
        }

        if (OrphanSweepMinimumAgeMinutes is < 1 or > 100000)
        {
            errors.Add($"{Section}:OrphanSweepMinimumAgeMinutes must be between 1 and 100000 (younger files may belong to a write in progress).");
        }

        if (OrphanSweepIntervalMinutes is < 1 or > 100000)
        {
            errors.Add($"{Section}:OrphanSweepIntervalMinutes must be between 1 and 100000.");
        }

        return errors;
    }

    /// <summary>The store these options name: PostgreSQL when a connection string is set, SQLite otherwise.</summary>
    public SqlRecordStore CreateStore() =>
        string.IsNullOrWhiteSpace(PostgresConnectionString)
            ? new SqliteRecordStore(DataDirectory)
            : new PostgresRecordStore(PostgresConnectionString, DataDirectory);
}
