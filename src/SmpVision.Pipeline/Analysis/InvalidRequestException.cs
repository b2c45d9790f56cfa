namespace SmpVision.Pipeline.Analysis;

/// <summary>
/// A request option is invalid. <see cref="Field"/> is the request field path as the API names it
/// (e.g. "options.scale.device.device_id"), so the service can return a field violation.
/// </summary>
public sealed class InvalidRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidRequestException(string field, string message)
        : base(message) => Field = field;

    /// <summary>Creates the exception.</summary>
    public InvalidRequestException()
    {
        Field = "";
    }

    /// <summary>Creates the exception.</summary>
    public InvalidRequestException(string message)
        : base(message) => Field = "";

    /// <summary>Creates the exception.</summary>
    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException) => Field = "";

    /// <summary>API path of the offending field.</summary>
    public string Field { get; }
}
