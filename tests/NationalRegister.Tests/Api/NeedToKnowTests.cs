using System.Net;
using NationalRegister.Alerts;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Alerts and person views show each agency what its role may read and no more (issue #10, MoPI need to know): a force its
/// own episodes' ids and authorities and counts of the rest, children's services their own authority's, analysts all.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class NeedToKnowTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private async Task<Guid> Reported(As force, string subject, string localAuthority, int daysAgo, DateOnly? dateOfBirth = null) =>
        (await Api.ReportMissing(force, RegisterApi.Report(subject, lastSeenAt: RegisterApi.Now.AddDays(-daysAgo), localAuthority: localAuthority,
            dateOfBirth: dateOfBirth))).EpisodeId;

    private async Task<AlertView> AlertFor(As who, Guid person, int windowDays = 30) =>
        (await AnalyticsScenarios.Eventually(async () => (await Api.List<AlertView>(who, "/api/alerts?pageSize=500")).Items
            .FirstOrDefault(a => a.PersonId == person && a.WindowDays == windowDays))).ShouldNotBeNull();

    [Fact]
    public async Task after_a_merge_each_agency_sees_in_an_alert_only_the_episodes_it_may_read_and_counts_of_the_rest()
    {
        var (first, second) = (AnalyticsScenarios.NewForce(), AnalyticsScenarios.NewForce());
        var (firstArea, secondArea) = (AnalyticsScenarios.NewLocalAuthority(), AnalyticsScenarios.NewLocalAuthority());
        var (a, b) = (RegisterApi.NewSubject(), RegisterApi.NewSubject());
        Guid[] firsts = [await Reported(first, a, firstArea, 20), await Reported(first, a, firstArea, 10)];
        Guid[] seconds = [await Reported(second, b, secondArea, 5)];
        var (person, merged) = ((await Api.Episode(first, firsts[0])).PersonId, (await Api.Episode(second, seconds[0])).PersonId);

        await Api.Merged(merged, person);

        var national = await AlertFor(As.Analyst, person);
        national.EpisodeIds.ShouldBe([.. firsts, .. seconds], ignoreOrder: true);
        (national.Episodes, national.OtherEpisodes, national.ThresholdEpisodes).ShouldBe((3, 0, 3));
        national.LocalAuthorities.Select(l => l.Code).ShouldBe(new[] { firstArea, secondArea }.Order());

        foreach (var (who, own, area) in new[]
                 {
                     (first, firsts, firstArea), (second, seconds, secondArea),
                     (As.ChildrensServices(firstArea), firsts, firstArea), (As.ChildrensServices(secondArea), seconds, secondArea),
                 })
        {
            var alert = await AlertFor(who, person);
            alert.EpisodeIds.ShouldBe(own, ignoreOrder: true);
            (alert.Episodes, alert.OtherEpisodes).ShouldBe((3, 3 - own.Length));
            alert.LocalAuthorities.ShouldBe([new(area, TestAgencies.NameOf(area))]);
            alert.Forces.ShouldBe(new[] { first.ForceCode!, second.ForceCode! }.Order());
            foreach (var other in national.EpisodeIds.Except(own))
                (await Api.GetEpisode(who, other)).Status.ShouldBe(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task an_alerts_count_of_episodes_agrees_with_its_list()
    {
        var force = AnalyticsScenarios.NewForce();
        var subject = RegisterApi.NewSubject();
        foreach (var daysAgo in new[] { 25, 20, 15, 10 }) await Reported(force, subject, "Leeds", daysAgo);

        var alerts = (await AnalyticsScenarios.Eventually(async () =>
            (await Api.List<AlertView>(force, "/api/alerts?pageSize=500")).Items is { Count: >= 2 } found ? found : null)).ShouldNotBeNull();

        alerts.ShouldAllBe(a => a.Episodes == a.EpisodeIds.Count + a.OtherEpisodes && a.Episodes >= a.ThresholdEpisodes);
    }

    [Fact]
    public async Task a_late_report_that_completes_a_burst_raises_its_alert()
    {
        var force = AnalyticsScenarios.NewForce();
        var subject = RegisterApi.NewSubject();
        await Reported(force, subject, "Leeds", 2);
        await Reported(force, subject, "Leeds", 1);
        await Fixture.CaughtUp();

        var late = await Reported(force, subject, "Leeds", 12);      // last seen before the other two, reported after them

        var alert = await AlertFor(force, (await Api.Episode(force, late)).PersonId);
        alert.EpisodeIds.ShouldContain(late);
        alert.Episodes.ShouldBe(3);
    }

    [Fact]
    public async Task a_forces_view_of_its_own_child_takes_no_age_band_from_another_forces_merged_record()
    {
        var dateOfBirth = DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-15);
        var older = DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-30);
        var own = await Api.ChildReportedBy(Gmp, dateOfBirth: dateOfBirth, lastSeenAt: RegisterApi.Now.AddDays(-9));
        var others = await Api.ChildReportedBy(Met, dateOfBirth: older, lastSeenAt: RegisterApi.Now.AddDays(-1));   // newer, and 30
        await Api.Merged(others.PersonId, own.PersonId);

        (await Api.Person(Gmp, own.PersonId)).AgeBand.ShouldBe("12-17");
        (await Api.Person(Met, own.PersonId)).AgeBand.ShouldBe("25-39");
        (await Api.Person(As.Analyst, own.PersonId)).AgeBand.ShouldBe("25-39");   // analysts: the newest episode, no details
    }

    [Fact]
    public async Task a_force_that_received_an_episode_by_transfer_does_not_see_the_senders_subject_id()
    {
        var reported = await Api.ChildReportedBy(Gmp);
        (await Api.Post(Gmp, $"/api/episodes/{reported.Episodes[0]}/transfer",
            new { messageId = RegisterApi.NewId(), toForce = "MET", reason = "Seen in London" })).Status.ShouldBe(HttpStatusCode.OK);

        var view = await Api.Person(Met, reported.PersonId);

        var record = view.Records.ShouldHaveSingleItem();
        (record.Force, record.ForceSubjectId, record.GivenName).ShouldBe(("MET", (string?)null, "Sam"));
        record.Episodes.Select(e => e.EpisodeId).ShouldBe(reported.Episodes);
        (await Api.Get(Met, $"/api/people/{reported.PersonId}")).Text.ShouldNotContain(reported.Subject);
    }
}
