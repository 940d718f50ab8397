using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace NationalRegister.Infrastructure.Postgres;

public sealed partial class LocalPostgres
{
    // ---- data directory and permissions -------------------------------------------------------

    private static void PrepareDataDirectory(string dataDirectory)
    {
        if (IsRoot)
        {
            // No chown in the BCL: install(1) creates the folder (or fixes an existing one) for the postgres user.
            RunChecked(Run("install", ["-d", "-o", PostgresOsUser, "-g", PostgresOsUser, "-m", "700", dataDirectory],
                    asPostgresUser: false, workingDirectory: "/"),
                logFile: null,
                "Check that the OS user 'postgres' exists (installing the postgresql package creates it).");
        }
        else if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Creates missing folders with mode 755 (whatever the umask) so the postgres user can pass through.</summary>
    private static void CreateTraversableDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

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

    private const UnixFileMode TraversableBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// As root the server runs as 'postgres', which must traverse every ancestor. A private temp folder
    /// (mktemp -d, CreateTempSubdirectory: mode 700) is opened up to 755; anything else is left alone.
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

            var insideTemp = tempRoots.Any(t => dir.StartsWith(t + "/", StringComparison.Ordinal));
            if (!insideTemp)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the OS user 'postgres' (it refuses root), and that user cannot enter '{dir}' " +
                    $"(mode {Convert.ToString((int)mode, 8)}). Choose a data directory outside it, such as " +
                    $"'{DefaultDataDirectory()}', or allow traversal with: chmod o+x '{dir}'.");
            }

            File.SetUnixFileMode(dir, mode | TraversableBits);
        }
    }

    /// <summary>Unix socket paths are limited to 107 bytes: fall back to a short folder in /tmp.</summary>
    private static string SocketDirectoryFor(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return dataDirectory;
        }

        var longest = Path.Combine(dataDirectory, ".s.PGSQL.65535");
        if (Encoding.UTF8.GetByteCount(longest) <= MaxUnixSocketPathBytes)
        {
            return dataDirectory;
        }

        // Stable per data directory so restarts do not litter /tmp.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..12];
        var socketDirectory = "/tmp/nrpg-" + hash;
        if (IsRoot)
        {
            RunChecked(Run("install", ["-d", "-o", PostgresOsUser, "-g", PostgresOsUser, "-m", "700", socketDirectory],
                asPostgresUser: false, workingDirectory: "/"), logFile: null, "Check that /tmp is writable.");
        }
        else
        {
            Directory.CreateDirectory(socketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return socketDirectory;
    }

    private static FileStream AcquireStartLock(string lockFile)
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
                Thread.Sleep(50);
            }
        }
    }

    private static void DeleteDirectory(string path)
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
                Thread.Sleep(100);
            }
        }
    }
}
