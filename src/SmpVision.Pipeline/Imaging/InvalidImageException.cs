namespace SmpVision.Pipeline.Imaging;

/// <summary>Why an input image was refused.</summary>
public enum ImageErrorKind
{
    /// <summary>No bytes.</summary>
    Empty,
    /// <summary>Not one of the supported formats.</summary>
    UnsupportedFormat,
    /// <summary>The file ends early.</summary>
    Truncated,
    /// <summary>The bytes cannot be decoded.</summary>
    Corrupt,
    /// <summary>Too many pixels or too large a side: refused before decoding.</summary>
    TooLarge,
    /// <summary>Too small to analyse.</summary>
    TooSmall,
    /// <summary>Pixel layout the pipeline does not take (e.g. floating-point samples).</summary>
    UnsupportedPixelLayout,
    /// <summary>Decoded, but not a scalp photo.</summary>
    NotAScalp,
}

/// <summary>
/// The input image cannot be analysed. <see cref="Exception.Message"/> is a sentence a person can
/// act on; it never contains image bytes or patient data.
/// </summary>
public sealed class InvalidImageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidImageException(ImageErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public InvalidImageException()
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public InvalidImageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public InvalidImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the image was refused.</summary>
    public ImageErrorKind Kind { get; }

    /// <summary>API field that carried the image ("image" unless a caller says otherwise, e.g. "before_image").</summary>
    public string Field { get; private init; } = "image";

    /// <summary>The same error attributed to another request field.</summary>
    public InvalidImageException ForField(string field) => new(Kind, Message) { Field = field };
}
