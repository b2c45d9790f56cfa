using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SmpVision.Records.Storage;

/// <summary>
/// Photo files named by the SHA-256 of their bytes under <c>images/ab/abcdef...</c>. A write goes
/// to a temporary file that is fsynced, renamed into place and its directory fsynced, so once
/// <see cref="WriteDurableAsync"/> returns the file survives a crash; only then may a row refer to
/// it. A crash before the row leaves an orphan file, which <c>SweepOrphanFilesAsync</c> removes.
/// </summary>
internal sealed partial class ContentAddressedImages
{
    private const string TempSuffix = ".tmp";

    /// <summary>Creates the store under <paramref name="root"/> (created when missing).</summary>
    public ContentAddressedImages(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>Folder holding the photo files.</summary>
    public string Root { get; }

    /// <summary>Test hook: called once the file is durable and before any row refers to it.</summary>
    internal Action<string>? AfterFileDurable { get; set; }

    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Path of the file with this hash.</summary>
    public string PathOf(string sha256) => Path.Combine(Root, sha256[..2], sha256);

    /// <summary>Writes the bytes (unless a file with this hash exists) and makes the file durable. Returns the hash.</summary>
    public async Task<string> WriteDurableAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var sha = Hash(bytes.Span);
        var path = PathOf(sha);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        if (!File.Exists(path) || new FileInfo(path).Length != bytes.Length)
        {
            var temp = Path.Combine(folder, $"{sha}.{Guid.NewGuid():N}{TempSuffix}");
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true); // fsync the data before the name points at it
            }

            File.Move(temp, path, overwrite: true);
        }

        // The rename (or an earlier writer's) must be durable too: fsync the folder entries.
        SyncDirectory(folder);
        SyncDirectory(Root);
        AfterFileDurable?.Invoke(sha);
        return sha;
    }

    /// <summary>Reads a photo and verifies its hash; throws <see cref="RecordCorruptException"/> when missing or damaged.</summary>
    public async Task<byte[]> ReadVerifiedAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path))
        {
            throw new RecordCorruptException($"The stored photo {sha256} is missing from the image store ({Root}). Restore it from a backup or delete the capture.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(Hash(bytes), sha256, StringComparison.Ordinal))
        {
            throw new RecordCorruptException($"The stored photo {sha256} fails its SHA-256 checksum: the file is damaged. Restore it from a backup or delete the capture.");
        }

        return bytes;
    }

    /// <summary>Deletes the file with this hash if present; true when a file was removed.</summary>
    public bool Delete(string sha256)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>Every stored file: hash and last write time; temporary files are reported with a null hash.</summary>
    public IEnumerable<(string? Sha256, string Path, DateTime LastWriteUtc)> Enumerate()
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            var isImage = name.Length == 64 && name.All(char.IsAsciiHexDigitLower);
            yield return (isImage ? name : null, file, File.GetLastWriteTimeUtc(file));
        }
    }

    private static void SyncDirectory(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // Windows has no directory fsync; NTFS journals renames.
        }

        var fd = Open(folder, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Could not open {folder} to make its entries durable (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {folder} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
