using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace NationalRegister.Tests.Api;

[Collection(RegisterCollection.Name)]
public sealed class PlatformTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task health_reports_the_database_without_a_token()
    {
        var reply = await Api.Get(As.Nobody, "/health");
        reply.Status.ShouldBe(HttpStatusCode.OK);
        reply.Json["status"]!.GetValue<string>().ShouldBe("Healthy");
        reply.Json["checks"]![0]!["name"]!.GetValue<string>().ShouldBe("postgresql");
    }

    [Fact]
    public async Task the_openapi_document_lists_every_endpoint_with_its_schemas()
    {
        var doc = (await Api.Get(As.Nobody, "/openapi/v1.json")).Json;

        var paths = doc["paths"]!.AsObject();
        paths.Select(p => p.Key).ShouldBe(
        [
            "/api/episodes", "/api/episodes/{episodeId}/risk-assessments", "/api/episodes/{episodeId}/sightings",
            "/api/episodes/{episodeId}/found", "/api/episodes/{episodeId}/return-interviews", "/api/episodes/{episodeId}/closure",
            "/api/episodes/{episodeId}", "/api/people/{personId}", "/api/people/{personId}/history",
        ], ignoreOrder: true);
        var schemas = doc["components"]!["schemas"]!.AsObject().Select(s => s.Key).ToList();
        schemas.ShouldContain("ReportMissing");
        schemas.ShouldContain("EpisodeView");
        schemas.ShouldContain("PersonView");
        doc["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");
    }

    [Fact]
    public async Task the_token_command_prints_only_a_token_the_server_accepts()
    {
        // Runs the built register exactly as the README's token command does, with the tests' signing key.
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "token", "--role", "force", "--force", "gmp", "--user", "PC 4321" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["Auth__SigningKey"] = RegisterFixture.SigningKey, ["ASPNETCORE_ENVIRONMENT"] = "Development" },
        };
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldBe(0);
        var token = stdout.Trim();
        token.Split('.').Length.ShouldBe(3);
        token.ShouldNotContain("\n");

        var reply = await Fixture.Host.Scenario(s =>
        {
            s.Post.Json(JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(RegisterApi.Report()))).ToUrl("/api/episodes");
            s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });
        var episode = JsonNode.Parse(await reply.ReadAsTextAsync())!["episodeId"]!.GetValue<Guid>();
        (await Api.GetEpisode(Gmp, episode)).Json["force"]!.GetValue<string>().ShouldBe("GMP");
    }
}
