namespace SmpVision.Records;

/// <summary>An argument the store refuses (bad id, bad page token), naming the field.</summary>
public sealed class RecordArgumentException(string field, string message) : Exception(message)
{
    /// <summary>Request field at fault (snake_case path, as the API names it).</summary>
    public string Field { get; } = field;
}

/// <summary>A record that would duplicate an existing one (a patient id the clinic already has).</summary>
public sealed class RecordConflictException(string message) : Exception(message);

/// <summary>A stored photo that is missing or fails its checksum: the store's data is damaged.</summary>
public sealed class RecordCorruptException(string message) : Exception(message);
