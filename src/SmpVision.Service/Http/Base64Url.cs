namespace SmpVision.Service.Http;

/// <summary>
/// Base64url (RFC 4648 section 5: '-' and '_' for '+' and '/', padding optional), which proto3 JSON
/// accepts for bytes, rewritten to the standard alphabet with padding that the JSON transcoder decodes.
/// </summary>
internal static class Base64Url
{
    /// <summary>Whether the text is base64 in either alphabet, padded or not.</summary>
    public static bool IsBase64(ReadOnlySpan<byte> text)
    {
        var length = text.Length;
        while (length > 0 && text[length - 1] == (byte)'=')
        {
            length--;
        }

        if (text.Length - length > 2 || length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text[..length])
        {
            if (!(c is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'+' or (byte)'/' or (byte)'-' or (byte)'_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The body with each listed string (start, length of its content) in the standard alphabet and
    /// padded; the same array when none needed a change, else one new array.
    /// </summary>
    public static byte[] ToStandard(byte[] body, IReadOnlyList<(int Start, int Length)> strings)
    {
        var padding = 0;
        foreach (var (start, length) in strings)
        {
            var span = body.AsSpan(start, length);
            span.Replace((byte)'-', (byte)'+');
            span.Replace((byte)'_', (byte)'/');
            padding += Padding(span);
        }

        if (padding == 0)
        {
            return body;
        }

        var result = new byte[body.Length + padding];
        int from = 0, to = 0;
        foreach (var (start, length) in strings.OrderBy(s => s.Start))
        {
            var end = start + length;
            body.AsSpan(from, end - from).CopyTo(result.AsSpan(to));
            to += end - from;
            for (var p = Padding(body.AsSpan(start, length)); p > 0; p--)
            {
                result[to++] = (byte)'=';
            }

            from = end;
        }

        body.AsSpan(from).CopyTo(result.AsSpan(to));
        return result;
    }

    /// <summary>'=' characters missing at the end of unpadded base64 (0 when padded or invalid).</summary>
    private static int Padding(ReadOnlySpan<byte> text) => text.Length == 0 || text[^1] == (byte)'=' ? 0 : (4 - (text.Length % 4)) % 4 is var p && p < 3 ? p : 0;
}
