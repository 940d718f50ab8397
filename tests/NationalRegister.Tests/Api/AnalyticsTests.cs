using System.Net;
using NationalRegister.Analytics;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

/// <summary>
/// The national views over HTTP, after the async daemon has caught up. Each test invents its own forces and local
/// authorities, so national figures are read through those filters.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class AnalyticsTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private Task<Guid> Missing(As force, DateTimeOffset lastSeen, string? subject = null, DateOnly? dateOfBirth = null, string? localAuthority = "Manchester") =>
        Api.ReportMissing(force, RegisterApi.Report(subject, lastSeenAt: lastSeen, dateOfBirth: dateOfBirth, localAuthority: localAuthority))
            .ContinueWith(r => r.Result.EpisodeId, TaskScheduler.Default);

    [Fact]
    public async Task who_is_missing_now_lists_open_episodes_longest_first()
    {
        var force = AnalyticsScenarios.NewForce();
        var older = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-80));
        var newer = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-2));
        await Api.AssessRisk(force, newer, "High");
        var found = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-5));
        await Api.Found(force, found);
        await Fixture.CaughtUp();

        var open = await Api.List<MissingNow>(As.Analyst, $"/api/analytics/open-episodes?force={force.ForceCode}");

        open.Items.Select(e => e.EpisodeId).ShouldBe([older, newer]);
        open.Total.ShouldBe(2);
        open.Items[0].HoursMissing.ShouldBe(80m);
        open.Items[1].RiskLevel.ShouldBe(RiskLevel.High);
        open.Items[0].AgeBand.ShouldBe("12-17");
        open.AsOf.Sequence.ShouldBeGreaterThan(0);
        open.AsOf.At.ShouldNotBeNull();
        (await Api.List<MissingNow>(As.Analyst, $"/api/analytics/open-episodes?force={force.ForceCode}&riskLevel=high")).Items
            .Select(e => e.EpisodeId).ShouldBe([newer]);

        var longTerm = await Api.List<MissingNow>(As.Analyst, $"/api/analytics/long-term-missing?force={force.ForceCode}");
        longTerm.Items.Select(e => e.EpisodeId).ShouldBe([older]);
    }

    [Fact]
    public async Task lists_are_paged_in_the_database()
    {
        var force = AnalyticsScenarios.NewForce();
        for (var i = 1; i <= 5; i++) await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-i));
        await Fixture.CaughtUp();

        var second = await Api.List<MissingNow>(As.Analyst, $"/api/analytics/open-episodes?force={force.ForceCode}&page=2&pageSize=2");

        second.Total.ShouldBe(5);
        second.Page.ShouldBe(2);
        second.Items.Select(e => e.HoursMissing).ShouldBe([3m, 2m]);
        (await Api.Get(As.Analyst, "/api/analytics/open-episodes?pageSize=501")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.Get(As.Analyst, "/api/analytics/open-episodes?page=0")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.Get(As.Analyst, "/api/analytics/open-episodes?page=abc")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_list_walked_page_by_page_with_next_gives_every_row_once_in_order()
    {
        var force = AnalyticsScenarios.NewForce();
        // Two pairs last seen at the same instant: the id breaks the tie, so no row falls between two pages.
        foreach (var hours in new[] { 1, 2, 2, 3, 4, 4, 5 }) await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-hours));
        await Fixture.CaughtUp();
        var url = $"/api/analytics/open-episodes?force={force.ForceCode}&pageSize=";
        var whole = await Api.List<MissingNow>(As.Analyst, url + "500");

        var walked = new List<Guid>();
        var page = await Api.List<MissingNow>(As.Analyst, url + "2");
        var second = page.Next.ShouldNotBeNull();
        for (var pages = 1; ; pages++)
        {
            page.Total.ShouldBe(7);
            walked.AddRange(page.Items.Select(e => e.EpisodeId));
            if (page.Next is null) break;
            pages.ShouldBeLessThan(5);
            page = await Api.List<MissingNow>(As.Analyst, $"{url}2&after={page.Next}");
        }

        walked.ShouldBe(whole.Items.Select(e => e.EpisodeId));
        whole.Next.ShouldBeNull();
        var bad = await Api.Get(As.Analyst, $"{url}2&after=not-a-cursor");
        bad.Status.ShouldBe(HttpStatusCode.BadRequest);
        bad.Json["detail"]!.GetValue<string>().ShouldContain("after");
        (await Api.Get(As.Analyst, $"{url}2&page=2&after={second}")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task every_list_answers_csv_when_asked()
    {
        var force = AnalyticsScenarios.NewForce();
        var episode = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-100));
        await Fixture.CaughtUp();

        foreach (var url in new[]
                 {
                     "/api/analytics/open-episodes", "/api/analytics/long-term-missing", "/api/analytics/repeat-missing?minEpisodes=2",
                     "/api/analytics/reviews/overdue", "/api/analytics/return-interviews/overdue", "/api/analytics/return-interviews/timeliness",
                     "/api/alerts", "/api/reports/annual?from=2025-04-01&to=2026-11-30",
                 })
        {
            var reply = await Api.Get(As.Analyst, url + (url.Contains('?') ? "&" : "?") + $"force={force.ForceCode}", ("Accept", "text/csv"));
            reply.Status.ShouldBe(HttpStatusCode.OK, url);
            reply.Headers["Content-Type"].ShouldStartWith("text/csv", customMessage: url);
            reply.Headers.ShouldContainKey("X-As-Of-Sequence");
        }

        var csv = await Api.GetText(As.Analyst, $"/api/analytics/open-episodes?force={force.ForceCode}", "text/csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines[0].ShouldStartWith("EpisodeId,PersonId,Force");
        lines.Length.ShouldBe(2);
        lines[1].ShouldStartWith(episode.ToString());
    }

    [Fact]
    public async Task the_summary_counts_what_is_open_now_by_force_and_risk()
    {
        var force = AnalyticsScenarios.NewForce();
        var high = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-100));
        await Api.AssessRisk(force, high, "High");
        await Missing(force, RegisterApi.Now.AddHours(-4), dateOfBirth: new DateOnly(1980, 1, 1));
        var found = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-5));
        await Api.Found(force, found, foundAt: RegisterApi.Now.AddHours(-1));
        await Fixture.CaughtUp();

        var summary = await Api.View<NationalSummary>(As.Analyst, $"/api/analytics/summary?force={force.ForceCode}");

        summary.OpenByForceAndRisk.ShouldBe([new OpenCount(force.ForceCode!, "High", 1), new OpenCount(force.ForceCode!, "Ungraded", 1)],
            ignoreOrder: true);
        summary.Open.ShouldBe(2);
        summary.OpenHighRisk.ShouldBe(1);
        summary.OpenOver72Hours.ShouldBe(1);
        summary.OpenChildren.ShouldBe(1);
        summary.OpenAdults.ShouldBe(1);
        summary.FoundToday.ShouldBe(1);
    }

    [Fact]
    public async Task repeat_missing_counts_a_persons_episodes_by_when_they_were_last_seen()
    {
        var force = AnalyticsScenarios.NewForce();
        var subject = RegisterApi.NewSubject();
        await Missing(force, RegisterApi.Now.AddDays(-100), subject);
        await Missing(force, RegisterApi.Now.AddDays(-60), subject);
        await Missing(force, RegisterApi.Now.AddDays(-20), subject);
        var latest = await Missing(force, RegisterApi.Now.AddDays(-1), subject);
        await Missing(force, RegisterApi.Now.AddDays(-2));                              // someone else, once
        await Fixture.CaughtUp();

        var inNinety = await Api.List<RepeatMissingPerson>(As.Analyst,
            $"/api/analytics/repeat-missing?force={force.ForceCode}&windowDays=90&minEpisodes=3");
        var inThirty = await Api.List<RepeatMissingPerson>(As.Analyst,
            $"/api/analytics/repeat-missing?force={force.ForceCode}&windowDays=30&minEpisodes=2");

        var person = (await Api.Episode(force, latest)).PersonId;
        inNinety.Items.ShouldHaveSingleItem().ShouldBe(inNinety.Items[0] with { PersonId = person, Episodes = 3, Forces = inNinety.Items[0].Forces });
        inNinety.Items[0].Forces.ShouldBe([force.ForceCode!]);
        inThirty.Items.ShouldHaveSingleItem().Episodes.ShouldBe(2);
        (await Api.Get(As.Analyst, "/api/analytics/repeat-missing?minEpisodes=1")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task overdue_reviews_follow_each_forces_interval_for_the_risk_level()
    {
        var force = AnalyticsScenarios.NewForce();
        var high = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-12));   // reported 11 hours ago
        await Api.AssessRisk(force, high, "High");                                            // High: every 6 hours by default
        var low = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-12));
        await Api.AssessRisk(force, low, "Low");                                              // Low: every 72 hours
        var reviewed = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-12));
        await Api.AssessRisk(force, reviewed, "High");
        (await Api.Post(force, $"/api/episodes/{reviewed}/reviews", new
        {
            messageId = RegisterApi.NewId(), reviewedBy = "Insp 4", reviewedAt = RegisterApi.Now.AddHours(-1), riskConfirmed = true,
        })).Status.ShouldBe(HttpStatusCode.OK);
        await Fixture.CaughtUp();

        var overdue = await Api.List<OverdueReview>(As.Analyst, $"/api/analytics/reviews/overdue?force={force.ForceCode}");

        overdue.Items.ShouldHaveSingleItem().EpisodeId.ShouldBe(high);
        overdue.Items[0].NextReviewDue.ShouldBe(RegisterApi.Now.AddHours(-11 + 6));
        overdue.Items[0].HoursOverdue.ShouldBe(5m);
    }

    [Fact]
    public async Task return_interviews_overdue_and_their_timeliness_per_local_authority()
    {
        var force = AnalyticsScenarios.NewForce();
        var localAuthority = AnalyticsScenarios.NewLocalAuthority();
        var services = As.ChildrensServices(localAuthority);
        var late = await Missing(force, RegisterApi.Now.AddDays(-10), localAuthority: localAuthority);
        await Api.Found(force, late, foundAt: RegisterApi.Now.AddDays(-9));
        (await Api.ReturnInterview(services, late, conductedAt: RegisterApi.Now.AddDays(-4))).Status.ShouldBe(HttpStatusCode.OK);
        var onTime = await Missing(force, RegisterApi.Now.AddDays(-10), localAuthority: localAuthority);
        await Api.Found(force, onTime, foundAt: RegisterApi.Now.AddDays(-9));
        (await Api.ReturnInterview(services, onTime, conductedAt: RegisterApi.Now.AddDays(-8))).Status.ShouldBe(HttpStatusCode.OK);
        var none = await Missing(force, RegisterApi.Now.AddDays(-10), localAuthority: localAuthority);
        await Api.Found(force, none, foundAt: RegisterApi.Now.AddDays(-4));
        var notYetDue = await Missing(force, RegisterApi.Now.AddDays(-2), localAuthority: localAuthority);
        await Api.Found(force, notYetDue, foundAt: RegisterApi.Now.AddDays(-1));
        await Fixture.CaughtUp();

        var overdue = await Api.List<OverdueReturnInterview>(services, "/api/analytics/return-interviews/overdue");
        var timeliness = await Api.List<InterviewTimeliness>(services, "/api/analytics/return-interviews/timeliness");

        overdue.Items.ShouldHaveSingleItem().EpisodeId.ShouldBe(none);
        overdue.Items[0].HoursOverdue.ShouldBe(24m);
        timeliness.Items.ShouldHaveSingleItem().ShouldBe(new InterviewTimeliness(localAuthority, TestAgencies.NameOf(localAuthority), 4, 2, 1, 0.25m));
    }

    [Fact]
    public async Task the_annual_report_counts_incidents_individuals_outcomes_and_durations()
    {
        var force = AnalyticsScenarios.NewForce();
        var subject = RegisterApi.NewSubject();
        var first = await Missing(force, new DateTimeOffset(2025, 5, 1, 10, 0, 0, TimeSpan.Zero), subject);
        await Api.AssessRisk(force, first, "High", assessedAt: new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await Api.Found(force, first, foundAt: new DateTimeOffset(2025, 5, 1, 20, 0, 0, TimeSpan.Zero));
        var second = await Missing(force, new DateTimeOffset(2025, 9, 1, 10, 0, 0, TimeSpan.Zero), subject);
        await Api.Found(force, second, foundAt: new DateTimeOffset(2025, 9, 4, 10, 0, 0, TimeSpan.Zero), outcome: "Harmed");
        var adult = await Missing(force, new DateTimeOffset(2026, 1, 10, 10, 0, 0, TimeSpan.Zero), dateOfBirth: new DateOnly(1970, 1, 1));
        await Missing(force, new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero));                       // after the period
        await Fixture.CaughtUp();

        var report = await Api.View<AnnualReport>(As.Analyst, $"/api/reports/annual?from=2025-04-01&to=2026-03-31&force={force.ForceCode}");

        report.Incidents.ShouldBe(3);
        report.Individuals.ShouldBe(2);
        (report.ChildIncidents, report.AdultIncidents, report.ChildIndividuals, report.AdultIndividuals).ShouldBe((2L, 1L, 1L, 1L));
        report.ByForce.ShouldBe([new ForceBreakdown(force.ForceCode!, 3, 2)]);
        report.ByRiskLevel.ShouldBe([new Breakdown("High", 1), new Breakdown("Ungraded", 2)]);
        report.ByOutcome.ShouldBe([new Breakdown("Harmed", 1), new Breakdown("NotYetFound", 1), new Breakdown("SafeAndWell", 1)]);
        report.ByDuration.ShouldBe([new Breakdown("2 to 7 days", 1), new Breakdown("not yet found", 1), new Breakdown("under 24 hours", 1)]);
        report.ShareMissingMoreThanOnce.ShouldBe(0.5m);
        _ = adult;
        (await Api.Get(As.Analyst, "/api/reports/annual?from=2026-04-01&to=2025-03-31")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_force_sees_the_views_for_its_own_episodes_and_children_s_services_for_their_area()
    {
        var force = AnalyticsScenarios.NewForce();
        var other = AnalyticsScenarios.NewForce();
        var localAuthority = AnalyticsScenarios.NewLocalAuthority();
        var own = await Missing(force, RegisterApi.Now.AddHours(-3), localAuthority: localAuthority);
        await Missing(other, RegisterApi.Now.AddHours(-3), localAuthority: localAuthority);
        await Fixture.CaughtUp();

        (await Api.List<MissingNow>(force, "/api/analytics/open-episodes")).Items.ShouldAllBe(e => e.Force == force.ForceCode);
        (await Api.List<MissingNow>(force, "/api/analytics/open-episodes")).Items.Select(e => e.EpisodeId).ShouldContain(own);
        (await Api.Get(force, $"/api/analytics/open-episodes?force={other.ForceCode}")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.List<MissingNow>(As.ChildrensServices(localAuthority), "/api/analytics/open-episodes")).Total.ShouldBe(2);
        (await Api.Get(As.ChildrensServices(localAuthority), "/api/analytics/open-episodes?localAuthority=Leeds")).Status
            .ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Get(As.Auditor, "/api/analytics/open-episodes")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Get(As.Nobody, "/api/analytics/summary")).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task analysts_see_no_names_dates_of_birth_or_references_anywhere()
    {
        var force = AnalyticsScenarios.NewForce();
        var subject = RegisterApi.NewSubject();
        var reported = await Api.ReportMissing(force, RegisterApi.Report(subject, lastSeenAt: RegisterApi.Now.AddDays(-5)));
        await Api.ReportMissing(force, RegisterApi.Report(subject, lastSeenAt: RegisterApi.Now.AddDays(-4)));
        await Api.Found(force, reported.EpisodeId, foundAt: RegisterApi.Now.AddDays(-4).AddHours(-1));
        await Fixture.CaughtUp();
        var reference = (await Api.Episode(force, reported.EpisodeId)).ForceReference!;

        var answers = new List<string>();
        foreach (var url in new[]
                 {
                     $"/api/episodes/{reported.EpisodeId}", "/api/analytics/summary", "/api/analytics/open-episodes",
                     "/api/analytics/long-term-missing", "/api/analytics/repeat-missing?minEpisodes=2", "/api/analytics/reviews/overdue",
                     "/api/analytics/return-interviews/overdue", "/api/analytics/return-interviews/timeliness", "/api/alerts",
                     "/api/reports/annual?from=2026-01-01&to=2026-12-31", "/api/people/possible-matches",
                 })
        {
            var paged = !url.Contains("summary", StringComparison.Ordinal) && !url.Contains("annual", StringComparison.Ordinal) && !url.StartsWith("/api/episodes", StringComparison.Ordinal);
            var reply = await Api.Get(As.Analyst, paged ? url + (url.Contains('?') ? "&" : "?") + "pageSize=500" : url);
            reply.Status.ShouldBe(HttpStatusCode.OK, url);
            answers.Add(reply.Json.ToJsonString());
        }

        foreach (var personal in new[] { "Synthetic", "\"Sam\"", subject, reference, "dateOfBirth", "forceReference\":\"" })
            answers.ShouldAllBe(a => !a.Contains(personal, StringComparison.Ordinal), personal);
    }
}
