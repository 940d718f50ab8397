using System.Diagnostics;
using System.Globalization;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>Programs and processes the embedded PostgreSQL tests look at from outside: psql, initdb, the postmaster.</summary>
internal static class Os
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>Runs a program with no standard input to its end (killed after 30 s): exit code and all it printed.</summary>
    public static async Task<(int ExitCode, string Output)> Run(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/",
        };
        start.Environment["LC_ALL"] = "C";
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 30 s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>As root, PostgreSQL's tools run as the postgres OS user, as the launcher runs them.</summary>
    public static Task<(int ExitCode, string Output)> RunAsPostgresUser(string fileName, params string[] args) =>
        IsRoot ? Run("runuser", ["-u", "postgres", "--", fileName, .. args]) : Run(fileName, args);

    /// <summary>The postmaster's pid: the first line of postmaster.pid, or null when no server runs there.</summary>
    public static int? PostmasterPid(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None,
            CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            // A killed process can linger as a zombie (state Z) until it is reaped: that is not alive.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..] is not ['Z' or 'X', ..];
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>kill -9 the postmaster of this data directory, as a crash or the OOM killer would.</summary>
    public static int KillPostmaster(string dataDirectory)
    {
        var pid = PostmasterPid(dataDirectory) ?? throw new InvalidOperationException($"No postmaster.pid in {dataDirectory}");
        using (var postmaster = Process.GetProcessById(pid)) postmaster.Kill();
        return pid;
    }

    /// <summary>Clean-up after a test that failed half-way: no server may outlive the test run.</summary>
    public static void KillLeftoverPostmaster(string dataDirectory)
    {
        if (PostmasterPid(dataDirectory) is not { } pid || !IsAlive(pid)) return;
        try
        {
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill();
        }
        catch (ArgumentException)
        {
            // gone meanwhile
        }
    }

    public static Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntil(() => Task.FromResult(condition()), timeout, what);

    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > timeout) throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}");
            await Task.Delay(50);
        }
    }
}
