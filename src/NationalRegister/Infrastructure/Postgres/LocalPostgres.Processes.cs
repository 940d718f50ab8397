using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;

namespace NationalRegister.Infrastructure.Postgres;

public sealed partial class LocalPostgres
{
    // ---- processes ------------------------------------------------------------------------------

    private sealed record CommandResult(string Command, int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs initdb/pg_ctl; as root through runuser, because PostgreSQL refuses to run as root.</summary>
    private static CommandResult RunPostgresTool(string binaries, string tool, string workingDirectory, params string[] args) =>
        Run(Path.Combine(binaries, ExecutableName(tool)), args, asPostgresUser: IsRoot, workingDirectory);

    private static CommandResult Run(string fileName, IReadOnlyList<string> args, bool asPostgresUser, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asPostgresUser ? RunuserPath() : fileName,
            // The postgres user may not be able to enter our current folder (e.g. /root).
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (asPostgresUser)
        {
            foreach (var a in (string[])["-u", PostgresOsUser, "--", fileName])
            {
                startInfo.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            startInfo.ArgumentList.Add(a);
        }

        // Untranslated messages, and no dependency on locales the machine may not have.
        startInfo.Environment["LC_ALL"] = "C";

        var command = string.Join(' ', startInfo.ArgumentList.Prepend(startInfo.FileName).Select(QuoteForDisplay));
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start: {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Timed out after {CommandTimeout.TotalSeconds:0} s: {command}");
        }

        return new CommandResult(command, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static void RunChecked(CommandResult result, string? logFile, string nextStep)
    {
        if (result.ExitCode != 0)
        {
            throw Failure(result, logFile, nextStep);
        }
    }

    private static InvalidOperationException Failure(CommandResult result, string? logFile, string nextStep)
    {
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Local PostgreSQL command failed with exit code {result.ExitCode}: {result.Command}")
            .AppendLine();
        var output = (result.StdErr + result.StdOut).Trim();
        if (output.Length > 0)
        {
            message.AppendLine(output);
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

    // ---- finding binaries -----------------------------------------------------------------------

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

    private static string? PgConfigBinDirectory()
    {
        var pgConfig = PathDirectories().Select(d => Path.Combine(d, ExecutableName("pg_config"))).FirstOrDefault(File.Exists);
        if (pgConfig is null)
        {
            return null;
        }

        try
        {
            var result = Run(pgConfig, ["--bindir"], asPostgresUser: false, Path.GetTempPath());
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
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root)
            .Select(dir => (dir, version: ParseVersion(Path.GetFileName(dir))))
            .Where(x => x.version is not null && IsServerBinDirectory(Path.Combine(x.dir, "bin")))
            .OrderByDescending(x => x.version)
            .Select(x => Path.Combine(x.dir, "bin"))
            .FirstOrDefault();
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var v) ? v : null;

    // ---- who are we -----------------------------------------------------------------------------

    private static readonly Lazy<bool> IsRootLazy = new(DetectRoot);

    /// <summary>True when running as root on Unix: PostgreSQL must then run as the postgres OS user.</summary>
    [UnsupportedOSPlatformGuard("windows")]
    private static bool IsRoot => !OperatingSystem.IsWindows() && IsRootLazy.Value;

    private static bool DetectRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Environment.UserName == "root")
        {
            return true;
        }

        // "Uid:\treal\teffective\tsaved\tfs" — a renamed root account is still uid 0.
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return false;
        }

        var uidLine = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = uidLine?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 3 } && fields[2] == "0";
    }
}
