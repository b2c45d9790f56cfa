using System.Security.Cryptography;
using System.Text;

namespace SmpVision.Records.Storage;

/// <summary>
/// Generated record ids: a prefix, the creation time in milliseconds and a sequence number within
/// the millisecond (hex, so ids of one process sort in creation order and keyset paging follows
/// it), then 64 random bits (unguessable across clinics).
/// </summary>
internal static class RecordIds
{
    private static readonly Lock Gate = new();
    private static long _lastMs;
    private static int _sequence;

    public static string New(string prefix)
    {
        long ms;
        int sequence;
        lock (Gate)
        {
            ms = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastMs);
            _sequence = ms == _lastMs ? _sequence + 1 : 0;
            if (_sequence > 0xFFFF)
            {
                ms++; // more than 65536 ids in one millisecond: borrow the next one
                _sequence = 0;
            }

            _lastMs = ms;
            sequence = _sequence;
        }

        return $"{prefix}_{ms:x12}{sequence:x4}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
    }

    /// <summary>True for the ids the API accepts: 1-128 letters, digits, '.', '_' or '-'.</summary>
    public static bool IsWellFormed(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>Throws a field-naming argument error when the id is not well formed.</summary>
    public static void Require(string? id, string field)
    {
        if (!IsWellFormed(id))
        {
            throw new RecordArgumentException(field, $"{field} must be 1-128 characters of letters, digits, '.', '_' or '-'.");
        }
    }

    /// <summary>Opaque page token carrying the last key of the previous page.</summary>
    public static string PageToken(string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("p1:" + lastKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The last key from a page token; "" for the first page. Throws on a malformed token.</summary>
    public static string FromPageToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return "";
        }

        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - (b64.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            if (text.StartsWith("p1:", StringComparison.Ordinal) && IsWellFormed(text[3..]))
            {
                return text[3..];
            }
        }
        catch (FormatException)
        {
            // falls through to the refusal below
        }

        throw new RecordArgumentException("page_token", "page_token is not a token this service issued. Pass the next_page_token of the previous response, or leave it empty for the first page.");
    }
}
