using System.Net;
using NationalRegister.Audit.AccessLog;
using NationalRegister.Episodes;
using NationalRegister.Episodes.Viewing;
using NationalRegister.People.Auditing;
using NationalRegister.People.Viewing;

namespace NationalRegister.Tests.Api;

/// <summary>
/// What the register knew about a child and when (issue #11): the auditor's history across forces and merged records,
/// and every view as known at a moment, by the database's recorded time, so later revisions, merges and corrections are
/// absent before they were made.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class AuditorTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    /// <summary>A moment between two writes, by the machine's clock (the database stamps recorded times with the same clock).</summary>
    private static async Task<DateTimeOffset> Moment()
    {
        await Task.Delay(30);
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(30);
        return now;
    }

    private Task<Reply> Correct(As who, Guid episode, string corrects, string? value, string reason = "Checked with the reporting officer",
        long? retracts = null) =>
        Api.Post(who, $"/api/episodes/{episode}/corrections", new { messageId = RegisterApi.NewId(), corrects, value, retracts, reason });

    private async Task<PersonHistory> HistoryOf(Guid person, DateTimeOffset? asOf = null)
    {
        var reply = await Api.Get(As.Auditor, $"/api/people/{person}/history{(asOf is { } at ? $"?asOf={Uri.EscapeDataString(at.ToString("O"))}" : "")}");
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        return reply.Read<PersonHistory>();
    }

    private async Task<T> AsOf<T>(string url, DateTimeOffset at) =>
        await Api.View<T>(As.Auditor, $"{url}{(url.Contains('?') ? '&' : '?')}asOf={Uri.EscapeDataString(at.ToString("O"))}");

    [Fact]
    public async Task a_childs_history_across_two_forces_replays_as_known_at_any_moment()
    {
        var gmp = await Api.ChildReportedBy(Gmp, lastSeenAt: RegisterApi.Now.AddDays(-10));
        var episode = gmp.Episodes[0];
        await Api.AssessRisk(Gmp, episode, "Medium", assessedAt: RegisterApi.Now.AddDays(-10).AddHours(2));
        var graded = await Moment();
        await Api.AssessRisk(Gmp, episode, "High", assessedAt: RegisterApi.Now.AddDays(-9));
        var regraded = await Moment();
        var met = await Api.ChildReportedBy(Met, lastSeenAt: RegisterApi.Now.AddDays(-2));
        await Api.Merged(met.PersonId, gmp.PersonId);
        var merged = await Moment();
        (await Api.Sighting(Gmp, episode, seenAt: RegisterApi.Now.AddDays(-8))).Status.ShouldBe(HttpStatusCode.OK);   // reported days late
        (await Correct(Gmp, episode, "lastSeenAt", RegisterApi.Now.AddDays(-11).ToString("O"))).Status.ShouldBe(HttpStatusCode.OK);

        var now = await HistoryOf(met.PersonId);
        now.PersonId.ShouldBe(gmp.PersonId);
        now.Records.ShouldBe([gmp.PersonId, met.PersonId], ignoreOrder: true);
        now.Entries.Select(e => e.Type).ShouldBe([nameof(MissingReported), nameof(RiskAssessed), nameof(RiskAssessed), nameof(MissingReported),
            "PeopleMerged", nameof(SightingRecorded), nameof(LastSeenCorrected)]);
        now.Entries.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        now.Entries.Where(e => e.Stream == "episode").Select(e => (e.Record, e.Force)).Distinct()
            .ShouldBe([(gmp.PersonId, "GMP"), (met.PersonId, "MET")]);
        var merge = now.Entries.Single(e => e.Stream == "person link");
        (merge.Record, merge.Agency, merge.RecordedBy).ShouldBe((met.PersonId, "analyst", "Analyst 1"));
        var sighting = now.Entries.Single(e => e.Type == nameof(SightingRecorded));
        sighting.DelaySeconds.ShouldNotBeNull().ShouldBeGreaterThan(24 * 3600);
        (sighting.Agency, sighting.RecordedBy, sighting.Version).ShouldBe(("GMP", "PC 1234", 4L));
        sighting.MessageId.ShouldNotBeNullOrEmpty();
        sighting.CorrelationId.ShouldNotBeNullOrEmpty();

        var before = await HistoryOf(gmp.PersonId, graded);
        before.Records.ShouldBe([gmp.PersonId]);                                   // the merge was not known yet
        before.Entries.Select(e => e.Type).ShouldBe([nameof(MissingReported), nameof(RiskAssessed)]);
        (await AsOf<EpisodeView>($"/api/episodes/{episode}", graded)).RiskLevel.ShouldBe(RiskLevel.Medium);
        (await Api.View<EpisodeView>(As.Auditor, $"/api/episodes/{episode}?version=2")).RiskLevel.ShouldBe(RiskLevel.Medium);
        (await Api.Episode(As.Auditor, episode)).RiskLevel.ShouldBe(RiskLevel.High);
        (await AsOf<PersonView>($"/api/people/{gmp.PersonId}", regraded)).Forces.ShouldBe(["GMP"]);
        (await AsOf<PersonView>($"/api/people/{gmp.PersonId}", merged)).Forces.ShouldBe(["GMP", "MET"]);
        (await AsOf<EpisodeView>($"/api/episodes/{episode}", merged)).LastSeenAt.ShouldBe(RegisterApi.Now.AddDays(-10));   // before the correction
        (await Api.Episode(As.Auditor, episode)).LastSeenAt.ShouldBe(RegisterApi.Now.AddDays(-11));

        var log = (await Api.List<AccessEntry>(As.Auditor, $"/api/audit/access-log?personId={gmp.PersonId}&pageSize=500")).Items;
        log.Count(e => e.Endpoint == "GET /api/people/{personId}/history").ShouldBeGreaterThanOrEqualTo(2);
        log.Where(e => e.Query?.Contains("asOf", StringComparison.Ordinal) == true).ShouldNotBeEmpty();
        log.ShouldAllBe(e => e.Role != "auditor" || e.Justification == RegisterApi.Justification);
    }

    [Fact]
    public async Task the_recorded_time_is_the_databases_whatever_the_registers_clock_says()
    {
        // The register's own clock stands at 2026-11-25 in these tests; the recorded time is the database's, today's.
        var reported = await Api.ChildReportedBy(Gmp);

        var entry = (await HistoryOf(reported.PersonId)).Entries.ShouldHaveSingleItem();

        entry.RecordedAt.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        (entry.RecordedAt - RegisterApi.Now).ShouldBeGreaterThan(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task only_auditors_see_a_person_or_a_history_as_known_and_a_force_only_its_own_episode()
    {
        var reported = await Api.ChildReportedBy(Gmp);
        var at = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        (await Api.Get(Gmp, $"/api/people/{reported.PersonId}?asOf={at}")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Get(As.Analyst, $"/api/episodes/{reported.Episodes[0]}?version=1")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Get(Gmp, $"/api/episodes/{reported.Episodes[0]}?version=1")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Get(As.Auditor, $"/api/episodes/{reported.Episodes[0]}?version=9")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Api.Get(As.Auditor, $"/api/episodes/{reported.Episodes[0]}?version=0")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.Get(As.Auditor, $"/api/people/{reported.PersonId}/history?asOf=2000-01-01T00:00:00Z")).Status.ShouldBe(HttpStatusCode.NotFound);
    }
}
