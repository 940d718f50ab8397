using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;

namespace NationalRegister.LocalPostgres;

public sealed partial class LocalPostgresServer
{
    // ---- finding binaries -----------------------------------------------------------------------

    /// <summary>
    /// The folder holding initdb, pg_ctl and postgres: from PATH, else pg_config --bindir, else the newest
    /// /usr/lib/postgresql/*/bin (Debian/Ubuntu keep server binaries off PATH). Null if none.
    /// </summary>
    public static async Task<string?> FindBinariesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var dir in PathDirectories().Where(d => HasExecutable(d, "initdb")))
        {
            // /usr/local/bin/initdb may be a symlink or wrapper: prefer the folder of the real binary.
            var real = RealDirectoryOf(Path.Combine(dir, ExecutableName("initdb")));
            if (real is not null && IsServerBinDirectory(real))
            {
                return real;
            }

            if (IsServerBinDirectory(dir))
            {
                return dir;
            }
        }

        var fromPgConfig = await PgConfigBinDirectoryAsync(cancellationToken).ConfigureAwait(false);
        return fromPgConfig is not null && IsServerBinDirectory(fromPgConfig) ? fromPgConfig : NewestDebianBinDirectory();
    }

    private static IEnumerable<string> PathDirectories() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathRooted);

    private static string ExecutableName(string tool) => OperatingSystem.IsWindows() ? tool + ".exe" : tool;

    /// <summary>A dangling symlink (binaries uninstalled, link left behind) does not count.</summary>
    private static bool HasExecutable(string directory, string tool)
    {
        var file = new FileInfo(Path.Combine(directory, ExecutableName(tool)));
        try
        {
            return file.Exists && (file.LinkTarget is null || file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
        }
        catch (IOException)
        {
            return false; // a looping link
        }
    }

    private static bool IsServerBinDirectory(string directory) =>
        HasExecutable(directory, "initdb") && HasExecutable(directory, "pg_ctl") && HasExecutable(directory, "postgres");

    private static string? RealDirectoryOf(string file)
    {
        try
        {
            var target = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? null : Path.GetDirectoryName(target.FullName);
        }
        catch (IOException)
        {
            return null; // broken or looping link
        }
    }

    private static async Task<string?> PgConfigBinDirectoryAsync(CancellationToken cancellationToken)
    {
        var pgConfig = PathDirectories().Select(d => Path.Combine(d, ExecutableName("pg_config"))).FirstOrDefault(File.Exists);
        if (pgConfig is null)
        {
            return null;
        }

        try
        {
            var result = await RunAsync(pgConfig, ["--bindir"], asPostgresUser: false, Path.GetTempPath(), cancellationToken)
                .ConfigureAwait(false);
            var dir = result.StdOut.Trim();
            return result.ExitCode == 0 && Directory.Exists(dir) ? dir : null;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return null; // a broken pg_config is no reason to fail: keep looking
        }
    }

    private static string? NewestDebianBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        return !Directory.Exists(root)
            ? null
            : Directory.EnumerateDirectories(root)
                .Select(dir => (bin: Path.Combine(dir, "bin"), version: ParseVersion(Path.GetFileName(dir))))
                .Where(x => x.version is not null && IsServerBinDirectory(x.bin))
                .OrderByDescending(x => x.version)
                .Select(x => x.bin)
                .FirstOrDefault();
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var v) ? v : null;

    /// <summary>True when running as root on Unix: PostgreSQL refuses that, so its tools run as the postgres OS user.</summary>
    [UnsupportedOSPlatformGuard("windows")]
    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    // ---- processes ------------------------------------------------------------------------------

    private sealed record CommandResult(string Command, int ExitCode, string StdOut, string StdErr)
    {
        public string Output => (StdErr + StdOut).Trim();
    }

    /// <summary>Runs initdb/pg_ctl from the data directory's parent; as root through runuser.</summary>
    private static Task<CommandResult> RunPostgresToolAsync(string binaries, string tool, string dataDirectory, IReadOnlyList<string> args,
        CancellationToken cancellationToken) =>
        RunAsync(Path.Combine(binaries, ExecutableName(tool)), args, asPostgresUser: IsRoot, Path.GetDirectoryName(dataDirectory)!,
            cancellationToken);

    private static async Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> args, bool asPostgresUser,
        string workingDirectory, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(asPostgresUser ? RunuserPath() : fileName)
        {
            // The postgres user may not be able to enter our current folder (e.g. /root).
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Untranslated messages, and no dependency on locales the machine may not have.
            Environment = { ["LC_ALL"] = "C" },
        };
        foreach (var arg in (asPostgresUser ? ["-u", PostgresOsUser, "--", fileName] : Array.Empty<string>()).Concat(args))
        {
            startInfo.ArgumentList.Add(arg);
        }

        var command = string.Join(' ', startInfo.ArgumentList.Prepend(startInfo.FileName).Select(QuoteForDisplay));
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start: {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"Timed out after {CommandTimeout.TotalSeconds:0} s: {command}");
        }

        return new CommandResult(command, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static void EnsureSucceeded(CommandResult result, string? logFile, string nextStep)
    {
        if (result.ExitCode != 0)
        {
            throw Failure(result, logFile, nextStep);
        }
    }

    private static InvalidOperationException Failure(CommandResult result, string? logFile, string nextStep)
    {
        var message = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture,
                $"Local PostgreSQL command failed with exit code {result.ExitCode}: {result.Command}");
        if (result.Output.Length > 0)
        {
            message.AppendLine(result.Output);
        }

        if (logFile is not null && File.Exists(logFile))
        {
            message.AppendLine(CultureInfo.InvariantCulture, $"--- last lines of {logFile} ---").AppendLine(TailLines(logFile, 20));
        }

        if (IsRoot)
        {
            message.Append("(Running as root: PostgreSQL tools were run as the OS user 'postgres' via runuser.) ");
        }

        return new InvalidOperationException(message.Append(nextStep).ToString());
    }

    private static string TailLines(string path, int count)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Max(0, stream.Length - 16_384), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(Environment.NewLine, lines.TakeLast(count));
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string QuoteForDisplay(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or ';') ? value : ShellQuote(value);

    private static readonly string[] RunuserLocations = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"];

    private static string RunuserPath() => RunuserLocations.FirstOrDefault(File.Exists) ?? "runuser";
}
