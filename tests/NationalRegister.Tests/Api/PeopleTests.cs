using System.Net;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

[Collection(RegisterCollection.Name)]
public sealed class PeopleTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_person_view_counts_episodes_over_rolling_windows()
    {
        var subject = RegisterApi.NewSubject();
        var now = RegisterApi.Now;
        var old = await Api.ChildMissing(Gmp, subject, lastSeenAt: now.AddDays(-400));
        await Api.AssessRisk(Gmp, old, "High", assessedAt: now.AddDays(-400).AddHours(2));
        await Api.ChildMissing(Gmp, subject, lastSeenAt: now.AddDays(-200));
        await Api.ChildMissing(Gmp, subject, lastSeenAt: now.AddDays(-30));
        var open = await Api.ChildMissing(Gmp, subject, lastSeenAt: now.AddHours(-3));
        var person = (await Api.Episode(Gmp, open)).PersonId;

        var view = await Api.Person(Gmp, person);

        view.Episodes.ShouldBe(4);
        view.Last90Days.ShouldBe(2);
        view.Last365Days.ShouldBe(3);
        view.OpenEpisodeId.ShouldBe(open);
        view.HighestRiskEver.ShouldBe(RiskLevel.High);
        view.Forces.ShouldBe(["GMP"]);
    }

    [Fact]
    public async Task a_person_found_has_no_open_episode()
    {
        var reported = await Api.ReportMissing(Gmp);
        await Api.Found(Gmp, reported.EpisodeId);

        var view = await Api.Person(Gmp, reported.PersonId);

        view.OpenEpisodeId.ShouldBeNull();
        view.HighestRiskEver.ShouldBeNull();
    }

    [Fact]
    public async Task the_history_lists_every_event_of_every_episode_in_the_order_recorded()
    {
        var subject = RegisterApi.NewSubject();
        var first = await Api.ChildMissing(Gmp, subject, lastSeenAt: RegisterApi.Now.AddDays(-3));
        var second = await Api.ChildMissing(Gmp, subject);
        await Api.AssessRisk(Gmp, first, "Low");
        await Api.Sighting(Gmp, second);
        var person = (await Api.Episode(Gmp, first)).PersonId;

        var history = await Api.History(As.Auditor, person);

        history.Select(e => (e.EpisodeId, e.Type)).ShouldBe(
        [
            (first, "MissingReported"), (second, "MissingReported"), (first, "RiskAssessed"), (second, "SightingRecorded"),
        ]);
        history.Select(e => e.RecordedAt).ShouldBeInOrder();
    }
}
