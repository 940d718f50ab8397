using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Tests.Api;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>The built register running as a server process (as `dotnet run` runs it), on a port of its own choosing.</summary>
internal sealed partial class RunningRegister : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private RunningRegister(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Print(e.Data);
        _process.ErrorDataReceived += (_, e) => Print(e.Data);
        _process.Exited += (_, _) =>
            _listening.TrySetException(new InvalidOperationException($"The register exited before listening:\n{Output}"));
    }

    public int ProcessId => _process.Id;

    /// <summary>Everything it printed so far, stdout and stderr.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    /// <summary>Starts it and waits for "Now listening on: http://127.0.0.1:PORT".</summary>
    public static async Task<RunningRegister> Start(IDictionary<string, string?> environment)
    {
        // Urls too: appsettings.json's Urls (5080) outranks ASPNETCORE_URLS.
        var start = RegisterProcess.StartInfo(new Dictionary<string, string?>(environment)
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0", ["Urls"] = "http://127.0.0.1:0",
        });
        start.RedirectStandardInput = true;
        var register = new RunningRegister(start);
        register._process.Start();
        register._process.StandardInput.Close();
        register._process.BeginOutputReadLine();
        register._process.BeginErrorReadLine();
        try
        {
            register._http.BaseAddress = await register._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return register;
        }
        catch
        {
            await register.DisposeAsync();
            throw;
        }
    }

    private void Print(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (Listening().Match(line) is { Success: true } match) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>/health's overall status ("Healthy", "Unhealthy"), or "no answer".</summary>
    public async Task<string> Health()
    {
        try
        {
            var health = await _http.GetFromJsonAsync<JsonNode>("/health");
            return health?["status"]?.GetValue<string>() ?? "no status";
        }
        catch (HttpRequestException)
        {
            return "no answer";
        }
        catch (TaskCanceledException)
        {
            return "no answer";
        }
    }

    /// <summary>POST /api/episodes as a GMP officer, with a body that is valid now: status and body.</summary>
    public async Task<(int Status, string Body)> ReportMissing()
    {
        Claim[] claims =
        [
            new(RegisterClaims.Subject, "PC 1234"), new(RegisterClaims.Name, "PC 1234"), new(RegisterClaims.Role, Roles.Force),
            new(RegisterClaims.Force, "GMP"),
        ];
        var token = new AuthSettings { SigningKey = RegisterFixture.SigningKey }.Issue(claims, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/episodes")
        {
            Content = JsonContent.Create(RegisterApi.Report(lastSeenAt: DateTimeOffset.UtcNow.AddHours(-6))),
            Headers = { Authorization = new("Bearer", token) },
        };
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET as an analyst: status and body.</summary>
    public async Task<(int Status, string Body)> GetAsAnalyst(string path)
    {
        Claim[] claims = [new(RegisterClaims.Subject, "Analyst 1"), new(RegisterClaims.Name, "Analyst 1"), new(RegisterClaims.Role, Roles.Analyst)];
        var token = new AuthSettings { SigningKey = RegisterFixture.SigningKey }.Issue(claims, DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", token) } };
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>kill -9: no clean-up of its own runs.</summary>
    public async Task Kill()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Its exit code, once it exits by itself.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The register was still running after {timeout.TotalSeconds:0} s:\n{Output}");
        }

        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
