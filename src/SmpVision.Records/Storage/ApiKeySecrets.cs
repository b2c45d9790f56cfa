using System.Security.Cryptography;
using System.Text;

namespace SmpVision.Records.Storage;

/// <summary>
/// API key format <c>smpv_&lt;16 hex key id&gt;_&lt;43 base64url secret&gt;</c>. Only the SHA-256 of the
/// secret is stored: 256 random bits need no slow password hash, and the key id makes the lookup
/// a primary-key read followed by a constant-time comparison.
/// </summary>
internal static class ApiKeySecrets
{
    public const string Prefix = "smpv_";
    private const int KeyIdLength = 16;

    public static (string KeyId, string Secret, string FullKey) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (keyId, secret, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>Splits a presented key; false when it does not have the format.</summary>
    public static bool TryParse(string? presented, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (presented is null || presented.Length < Prefix.Length + KeyIdLength + 2 || presented.Length > 200
            || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented[Prefix.Length + KeyIdLength] != '_')
        {
            return false;
        }

        keyId = presented.Substring(Prefix.Length, KeyIdLength);
        secret = presented[(Prefix.Length + KeyIdLength + 1)..];
        return keyId.All(char.IsAsciiHexDigitLower);
    }

    public static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashSecret(secret)), Encoding.ASCII.GetBytes(storedHash));
}
