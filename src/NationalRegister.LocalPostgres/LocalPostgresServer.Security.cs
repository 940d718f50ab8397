using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;

namespace NationalRegister.LocalPostgres;

public sealed partial class LocalPostgresServer
{
    // ---- who may log in ---------------------------------------------------------------------------
    //
    // Every connection, over TCP or the unix socket, needs the password of the 'postgres' role (scram-sha-256). The
    // password is random, generated on first start, and kept in <data>.password, readable only by the server's owner
    // (mode 600; as root, owned by the postgres OS user like the data directory). Folders made before this, with
    // `trust` for everyone, are converted on their next start.

    private const string PasswordFileSuffix = ".password";
    private const string ScramSha256 = "scram-sha-256";
    private static readonly TimeSpan HbaReloadWindow = TimeSpan.FromSeconds(10);

    /// <summary>An active pg_hba.conf line whose method is trust: the "trust" token and what precedes it on the line.</summary>
    [GeneratedRegex(@"^(?<head>[ \t]*(?:local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)[ \t].*?[ \t])trust(?=[ \t]*(?:#.*)?$)",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex TrustLine();

    private static string PasswordFileFor(string dataDirectory) => dataDirectory + PasswordFileSuffix;

    /// <summary>The password in the folder's password file; a new random one (and the file) when there is none yet.</summary>
    private static async Task<string> EnsurePasswordFileAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var file = PasswordFileFor(dataDirectory);
        if (File.Exists(file))
        {
            await MakePrivateToServerOwnerAsync(file, cancellationToken).ConfigureAwait(false);
            return ReadPasswordFile(dataDirectory);
        }

        // 192 random bits, hex so that it needs no quoting anywhere (connection strings, SQL literals, pwfile).
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // private from its first byte
        }

        var writer = new StreamWriter(file, options);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync(password + "\n").ConfigureAwait(false); // initdb --pwfile reads the first line
        }

        await MakePrivateToServerOwnerAsync(file, cancellationToken).ConfigureAwait(false);
        return password;
    }

    /// <summary>Mode 600, and as root owned by the postgres OS user (initdb, run as that user, reads it).</summary>
    private static async Task MakePrivateToServerOwnerAsync(string file, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (IsRoot)
        {
            EnsureSucceeded(await RunAsync("chown", [PostgresOsUser + ":" + PostgresOsUser, file], asPostgresUser: false, "/",
                cancellationToken).ConfigureAwait(false), logFile: null, "Check that the OS user 'postgres' exists.");
        }
    }

    private static string ReadPasswordFile(string dataDirectory)
    {
        var file = PasswordFileFor(dataDirectory);
        try
        {
            var password = File.ReadLines(file).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(password) ? throw new InvalidOperationException($"The password file '{file}' is empty.") : password;
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL server in '{dataDirectory}' asks for a password, and its password file '{file}' is missing. " +
                "Restore that file, or delete the data folder to start afresh.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Cannot read the password file '{file}': only the user who runs the server in '{dataDirectory}' may. " +
                "Run the register as that user, or choose another Register__DataDirectory.");
        }
    }

    private static bool AllowsPasswordlessLogins(string dataDirectory) =>
        TrustLine().IsMatch(File.ReadAllText(Path.Combine(dataDirectory, "pg_hba.conf")));

    /// <summary>
    /// A folder initialised with trust (by earlier versions of this launcher): set the password while trust still lets us
    /// in, switch every trust line of pg_hba.conf to scram-sha-256, reload, and wait until a password-less login is refused.
    /// </summary>
    private static async Task RequirePasswordAsync(int port, string dataDirectory, string password, CancellationToken cancellationToken)
    {
        var connection = await OpenAdminConnectionAsync(port, password: null, dataDirectory, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // ALTER ROLE takes no parameters; the password is hex (no quotes to escape). Hashed by the server (SCRAM verifier).
            var setPassword = new NpgsqlCommand(
                $"SET password_encryption = '{ScramSha256}'; ALTER ROLE {PostgresOsUser} PASSWORD '{password}'", connection);
            await using (setPassword.ConfigureAwait(false))
            {
                await setPassword.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Rewritten in place, so the file keeps its owner and mode.
            var hba = Path.Combine(dataDirectory, "pg_hba.conf");
            var rules = await File.ReadAllTextAsync(hba, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(hba, TrustLine().Replace(rules, "${head}" + ScramSha256), cancellationToken).ConfigureAwait(false);

            var reload = new NpgsqlCommand("select pg_reload_conf()", connection);
            await using (reload.ConfigureAwait(false))
            {
                await reload.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // The postmaster re-reads pg_hba.conf asynchronously after the reload signal.
        var started = Stopwatch.GetTimestamp();
        while (await AcceptsPasswordlessLoginAsync(port, cancellationToken).ConfigureAwait(false))
        {
            if (Stopwatch.GetElapsedTime(started) > HbaReloadWindow)
            {
                throw new InvalidOperationException(
                    $"pg_hba.conf in '{dataDirectory}' now asks for a password, but after a reload the server on 127.0.0.1:{port} " +
                    $"still lets anyone in. Stop it (pg_ctl stop -D '{dataDirectory}') and start the register again.");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<bool> AcceptsPasswordlessLoginAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            var connection = new NpgsqlConnection(BuildConnectionString(port, "postgres", password: null, pooling: false));
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
