using System.Diagnostics;
using NationalRegister.Tests.Api;

namespace NationalRegister.Tests;

/// <summary>The built register run as a process, the way the README runs it, with the tests' signing key.</summary>
public static class RegisterProcess
{
    /// <summary>
    /// The register as built in its own folder: the copy beside the tests shares a folder with test-only assemblies
    /// (FsCheck's, xunit's) that JasperFx's command discovery would scan and fail on.
    /// </summary>
    public static readonly string Dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory,
        "../../../../../src/NationalRegister/bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "NationalRegister.dll"));

    public static ProcessStartInfo StartInfo(IDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Auth__SigningKey"] = RegisterFixture.SigningKey;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        foreach (var arg in args.Prepend(Dll)) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>Runs a register command to its end: exit code, stdout and stderr.</summary>
    public static Task<(int ExitCode, string StdOut, string StdErr)> Run(IDictionary<string, string?> environment, params string[] args) =>
        Run(StartInfo(environment, args));

    /// <summary>Runs any program to its end, killed after two minutes.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
