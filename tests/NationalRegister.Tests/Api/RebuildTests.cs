using System.Net;

namespace NationalRegister.Tests.Api;

/// <summary>Every national view is a projection of the events: rebuilt from them, it answers exactly as it did live.</summary>
[Collection(RegisterCollection.Name)]
public sealed class RebuildTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task rebuilding_every_projection_from_the_events_gives_the_views_they_had_live()
    {
        var force = AnalyticsScenarios.NewForce();
        var localAuthority = AnalyticsScenarios.NewLocalAuthority();
        var subject = RegisterApi.NewSubject();
        for (var i = 0; i < 4; i++)
        {
            var episode = (await Api.ReportMissing(force, RegisterApi.Report(subject, lastSeenAt: RegisterApi.Now.AddDays(-3 * i - 1),
                localAuthority: localAuthority))).EpisodeId;
            await Api.AssessRisk(force, episode, i % 2 == 0 ? "High" : "Low", assessedAt: RegisterApi.Now.AddDays(-3 * i - 1).AddHours(1));
            if (i > 0) await Api.Found(force, episode, foundAt: RegisterApi.Now.AddDays(-3 * i));
            if (i > 1) await Api.ReturnInterview(As.ChildrensServices(localAuthority), episode, conductedAt: RegisterApi.Now.AddDays(-3 * i + 1));
        }

        await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddDays(-5));
        await Fixture.CaughtUp();
        var live = await Views(force, localAuthority);

        var (exitCode, stdout, stderr) = await RegisterProcess.Run(
            new Dictionary<string, string?> { ["ConnectionStrings__Register"] = Fixture.ConnectionString }, "projections", "rebuild");
        exitCode.ShouldBe(0, stdout + stderr);
        await Fixture.CaughtUp();

        var rebuilt = await Views(force, localAuthority);
        rebuilt.Keys.ShouldBe(live.Keys);
        foreach (var (url, json) in live) rebuilt[url].ShouldBe(json, url);
        live.Values.ShouldContain(json => json.Contains(subject, StringComparison.Ordinal) == false && json.Length > 50);
    }

    /// <summary>Each view as JSON, without its asOf (the rebuild itself moves no sequence, but the answer's freshness is not the view).</summary>
    private async Task<Dictionary<string, string>> Views(As force, string localAuthority)
    {
        var views = new Dictionary<string, string>();
        foreach (var url in new[]
                 {
                     $"/api/analytics/summary?force={force.ForceCode}", $"/api/analytics/open-episodes?force={force.ForceCode}",
                     $"/api/analytics/long-term-missing?force={force.ForceCode}",
                     $"/api/analytics/repeat-missing?force={force.ForceCode}&minEpisodes=2&windowDays=30",
                     $"/api/analytics/reviews/overdue?force={force.ForceCode}", $"/api/analytics/return-interviews/overdue?force={force.ForceCode}",
                     $"/api/analytics/return-interviews/timeliness?localAuthority={Uri.EscapeDataString(localAuthority)}",
                     $"/api/reports/annual?from=2026-01-01&to=2026-12-31&force={force.ForceCode}", "/api/people/possible-matches?pageSize=500",
                 })
        {
            var reply = await Api.Get(As.Analyst, url);
            reply.Status.ShouldBe(HttpStatusCode.OK, url);
            reply.Json.AsObject().Remove("asOf");
            views[url] = reply.Json.ToJsonString();
        }

        return views;
    }
}
