using System.Diagnostics;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Tests.Api;
using Npgsql;

namespace NationalRegister.Tests.Hosting;

/// <summary>
/// The built register started as a deployment starts it (Production): it refuses to run on keys anyone could hold, and
/// when it cannot start it exits non-zero with one line saying why, so a supervisor knows.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class StartupTests(RegisterFixture fixture)
{
    private const string GoodKey = "a-production-secret-of-at-least-32-bytes-0123456789";
    private const string GoodChainKey = "another-production-secret-for-the-chains-0123456789";

    [Theory]
    [InlineData(null, "Auth__SigningKey")]
    [InlineData("short-key-0123456789", "32 bytes")]
    [InlineData(AuthSettings.DevelopmentKey, "development key")]
    public async Task production_refuses_to_start_on_a_missing_short_or_development_key(string? key, string named)
    {
        var (exitCode, stderr) = await Start(fixture.ConnectionString, key);

        exitCode.ShouldNotBe(0);
        LastLine(stderr).ShouldContain(named);
    }

    [Fact]
    public async Task production_refuses_to_start_on_a_missing_key_even_when_given_urls()
    {
        var (exitCode, stderr) = await Start(fixture.ConnectionString, key: null, "--urls", "http://127.0.0.1:0");

        exitCode.ShouldNotBe(0);
        LastLine(stderr).ShouldContain("Auth__SigningKey");
    }

    [Fact]
    public async Task an_unreachable_database_is_a_non_zero_exit_that_says_where_it_looked()
    {
        var (exitCode, stderr) = await Start("Host=127.0.0.1;Port=1;Database=register;Username=postgres", GoodKey);

        exitCode.ShouldNotBe(0);
        LastLine(stderr).ShouldContain("127.0.0.1:1");
        LastLine(stderr).ShouldContain("ConnectionStrings__Register");
    }

    [Fact]
    public async Task a_database_without_the_schema_is_a_non_zero_exit_that_says_to_run_db_apply()
    {
        var empty = $"nr_empty_{Guid.NewGuid():N}"[..20];
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {empty}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var (exitCode, stderr) = await Start(new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Database = empty }.ConnectionString, GoodKey);

        exitCode.ShouldNotBe(0);
        LastLine(stderr).ShouldContain("db-apply");
    }

    [Fact]
    public async Task the_published_register_carries_no_development_settings()
    {
        var output = Path.Combine(Path.GetTempPath(), $"nr-publish-{Guid.NewGuid():N}"[..20]);
        try
        {
            var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/NationalRegister"));
            // Published from the build the tests run on (Debug or Release), as `dotnet publish` would.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var (exitCode, stdout, stderr) = await RegisterProcess.Run(new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "publish", project, "--no-build", "-c", configuration, "-o", output },
                RedirectStandardOutput = true, RedirectStandardError = true,
            });
            exitCode.ShouldBe(0, stdout + stderr);

            File.Exists(Path.Combine(output, "appsettings.json")).ShouldBeTrue();
            File.Exists(Path.Combine(output, "appsettings.Development.json")).ShouldBeFalse();
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, "Audit__ChainKey")]
    [InlineData("short-key-0123456789", "32 bytes")]
    [InlineData(global::NationalRegister.Infrastructure.Integrity.ChainSettings.DevelopmentKey, "development key")]
    public async Task production_refuses_to_start_on_a_missing_short_or_development_chain_key(string? chainKey, string named)
    {
        var (exitCode, stderr) = await StartWithChainKey(fixture.ConnectionString, GoodKey, chainKey);

        exitCode.ShouldNotBe(0);
        LastLine(stderr).ShouldContain(named);
        LastLine(stderr).ShouldContain("Audit__ChainKey");
    }

    private static Task<(int ExitCode, string StdErr)> Start(string connectionString, string? key, params string[] args) =>
        StartWithChainKey(connectionString, key, GoodChainKey, args);

    private static async Task<(int ExitCode, string StdErr)> StartWithChainKey(string connectionString, string? key, string? chainKey,
        params string[] args)
    {
        var (exitCode, _, stderr) = await RegisterProcess.Run(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__SigningKey"] = key, ["Audit__ChainKey"] = chainKey,
            ["ConnectionStrings__Register"] = connectionString, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }, args);
        return (exitCode, stderr);
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
