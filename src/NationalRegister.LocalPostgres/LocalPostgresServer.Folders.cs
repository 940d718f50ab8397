using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace NationalRegister.LocalPostgres;

public sealed partial class LocalPostgresServer
{
    // ---- data directory and permissions -------------------------------------------------------

    // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
    private const int MaxUnixSocketPathBytes = 107;

    private const UnixFileMode TraversableBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode PrivateBits = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static async Task PrepareDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (IsRoot)
        {
            const string nextStep = "Check that the OS user 'postgres' exists (installing the postgresql package creates it).";
            await CreateDirectoryForPostgresUserAsync(dataDirectory, nextStep, cancellationToken).ConfigureAwait(false);
        }
        else if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, PrivateBits);
        }
    }

    /// <summary>No chown in the BCL: install(1) creates the folder (or fixes an existing one) for the postgres user.</summary>
    private static async Task CreateDirectoryForPostgresUserAsync(string directory, string nextStep, CancellationToken cancellationToken) =>
        EnsureSucceeded(await RunAsync("install", ["-d", "-o", PostgresOsUser, "-g", PostgresOsUser, "-m", "700", directory],
            asPostgresUser: false, workingDirectory: "/", cancellationToken).ConfigureAwait(false), logFile: null, nextStep);

    /// <summary>Creates missing folders with mode 755 (whatever the umask) so the postgres user can pass through.</summary>
    private static void CreateTraversableDirectory(string path)
    {
        var missing = new List<string>();
        for (var dir = path; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Add(dir);
        }

        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var dir in missing)
            {
                File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | TraversableBits);
            }
        }
    }

    /// <summary>
    /// As root the server runs as 'postgres', which must traverse every ancestor. A private temp folder (mktemp -d,
    /// CreateTempSubdirectory: mode 700) is opened up to 755; anything else is left alone.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static void EnsureTraversableByPostgresUser(string directory)
    {
        var tempRoots = new[] { Path.GetTempPath(), "/tmp/", "/var/tmp/" }
            .Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)))
            .ToArray();
        for (var dir = directory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!Directory.Exists(dir))
            {
                continue; // created later with mode 755
            }

            var mode = File.GetUnixFileMode(dir);
            if ((mode & UnixFileMode.OtherExecute) != 0)
            {
                continue;
            }

            if (!tempRoots.Any(t => dir.StartsWith(t + "/", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the OS user 'postgres' (it refuses root), and that user cannot enter '{dir}' " +
                    $"(mode {Convert.ToString((int)mode, 8)}). Choose a data directory outside it, such as " +
                    $"'{DefaultDataDirectory()}', or allow traversal with: chmod o+x '{dir}'.");
            }

            File.SetUnixFileMode(dir, mode | TraversableBits);
        }
    }

    /// <summary>
    /// The data directory, or, since unix socket paths are limited to 107 bytes, a short folder in /tmp (stable per data
    /// directory so restarts do not litter /tmp). Either way a folder only the server's owner can open (mode 700).
    /// </summary>
    private static string SocketDirectoryFor(string dataDirectory) =>
        OperatingSystem.IsWindows() || Encoding.UTF8.GetByteCount(Path.Combine(dataDirectory, ".s.PGSQL.65535")) <= MaxUnixSocketPathBytes
            ? dataDirectory
            : "/tmp/nrpg-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..12];

    /// <summary>Creates (or checks) the socket folder of <see cref="SocketDirectoryFor"/>.</summary>
    private static async Task<string> SocketDirectoryForAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var socketDirectory = SocketDirectoryFor(dataDirectory);
        if (OperatingSystem.IsWindows() || socketDirectory == dataDirectory)
        {
            return dataDirectory;
        }

        if (IsRoot)
        {
            await CreateDirectoryForPostgresUserAsync(socketDirectory, "Check that /tmp is writable.", cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            Directory.CreateDirectory(socketDirectory, PrivateBits);
            try
            {
                // It may have been there before us: only its owner can make it private, so this also checks the owner.
                File.SetUnixFileMode(socketDirectory, PrivateBits);
            }
            catch (UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"The socket folder '{socketDirectory}' for '{dataDirectory}' belongs to another user. Remove it, or choose a " +
                    "shorter Register__DataDirectory (sockets go into the data directory when its path is short enough).");
            }
        }

        return socketDirectory;
    }

    private static async Task<FileStream> AcquireStartLockAsync(string lockFile, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix: another process gets an IOException.
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < StartLockTimeout)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The owner lock, held (flock) by the process that owns the server for as long as it lives, or null when another
    /// live process holds it. The kernel releases it when its holder dies, however it dies: a server running without
    /// its lock held has lost its owner.
    /// </summary>
    private static FileStream? TryTakeOwnerLock(string dataDirectory)
    {
        try
        {
            return new FileStream(dataDirectory + OwnerLockSuffix, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task DeleteDirectoryAsync(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // A just-stopped backend may still be unlinking files.
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }
}
