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
            "/api/episodes/{episodeId}/transfer", "/api/episodes/{episodeId}/reviews", "/api/people/{personId}/merge",
            "/api/people/{personId}/unmerge", "/api/people/possible-matches", "/api/analytics/summary", "/api/analytics/open-episodes",
            "/api/analytics/long-term-missing", "/api/analytics/repeat-missing", "/api/analytics/reviews/overdue",
            "/api/analytics/return-interviews/overdue", "/api/analytics/return-interviews/timeliness", "/api/reports/annual", "/api/alerts",
            "/api/reference/forces", "/api/reference/local-authorities", "/api/audit/verify", "/api/audit/access-log", "/api/episodes/{episodeId}/corrections", "/api/people/{personId}/history/export",
            "/api/messages",
        ], ignoreOrder: true);
        var schemas = doc["components"]!["schemas"]!.AsObject().Select(s => s.Key).ToList();
        schemas.ShouldContain("ReportMissing");
        schemas.ShouldContain("EpisodeView");
        schemas.ShouldContain("PersonView");
        doc["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");
    }

    [Theory]
    [InlineData("/api/episodes", "post", new[] { "201", "400", "401", "403", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/risk-assessments", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/sightings", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/found", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/return-interviews", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/closure", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/transfer", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}/reviews", "post", new[] { "200", "400", "401", "403", "404", "409", "422" })]
    [InlineData("/api/episodes/{episodeId}", "get", new[] { "200", "400", "401", "403", "404", "503" })]
    [InlineData("/api/analytics/open-episodes", "get", new[] { "200", "400", "401", "403" })]
    public async Task the_openapi_document_states_every_answer_an_endpoint_can_give(string path, string method, string[] statuses)
    {
        var doc = (await Api.Get(As.Nobody, "/openapi/v1.json")).Json;

        var responses = doc["paths"]![path]![method]!["responses"]!.AsObject();

        responses.Select(r => r.Key).ShouldBe(statuses, ignoreOrder: true);
        foreach (var problem in responses.Where(r => r.Key[0] is '4'))
            problem.Value!["content"]!.AsObject().Select(c => c.Key).ShouldContain("application/problem+json", problem.Key);
    }

    [Fact]
    public async Task the_token_command_prints_only_a_token_the_server_accepts()
    {
        var (exitCode, stdout, _) = await RegisterProcess.Run(new Dictionary<string, string?>(),
            "token", "--role", "force", "--force", "gmp", "--user", "PC 4321");

        exitCode.ShouldBe(0);
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
        (await Api.Episode(Gmp, episode)).Force.ShouldBe("GMP");
    }

    [Theory]
    [InlineData("--role", "force", "--force", "ZZZ")]
    [InlineData("--role", "childrens-services", "--local-authority", "Manchester Borough")]
    public async Task the_token_command_prints_no_token_for_an_agency_the_register_does_not_know(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RegisterProcess.Run(new Dictionary<string, string?>(), ["token", .. args, "--user", "PC 4321"]);

        exitCode.ShouldNotBe(0);
        stdout.Trim().ShouldBeEmpty();
        stderr.ShouldContain("/api/reference/");
    }

    [Fact]
    public async Task the_token_command_names_a_local_authority_by_its_code_whichever_way_it_was_given()
    {
        var (exitCode, stdout, _) = await RegisterProcess.Run(new Dictionary<string, string?>(),
            "token", "--role", "childrens-services", "--local-authority", "Leeds City Council", "--user", "RHI 9");

        exitCode.ShouldBe(0);
        var claims = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(stdout.Trim()).Claims;
        claims.Single(c => c.Type == "local_authority").Value.ShouldBe("E08000035");
    }

    [Fact]
    public async Task a_normal_start_says_where_it_listens_and_nothing_alarming()
    {
        var start = RegisterProcess.StartInfo(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Register"] = Fixture.ConnectionString, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Urls"] = "http://127.0.0.1:0", // appsettings.json names 5080, which a register running beside the tests may hold
        });
        using var process = Process.Start(start)!;
        var output = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.Add(line);
                if (line.Contains("Application started", StringComparison.Ordinal)) break;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }

        var printed = string.Join('\n', output);
        printed.ShouldContain("Now listening on: http://127.0.0.1:");
        printed.ShouldNotContain("Searching");
        printed.ShouldNotContain("found no handlers");
        output.ShouldNotContain(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal));
    }
}
