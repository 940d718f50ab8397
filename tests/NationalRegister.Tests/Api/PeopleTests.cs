using System.Net;

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
        var person = (await Api.GetEpisode(Gmp, open)).Json["personId"]!.GetValue<Guid>();

        var view = (await Api.GetPerson(Gmp, person)).Json;

        view["episodes"]!.GetValue<int>().ShouldBe(4);
        view["last90Days"]!.GetValue<int>().ShouldBe(2);
        view["last365Days"]!.GetValue<int>().ShouldBe(3);
        view["openEpisodeId"]!.GetValue<Guid>().ShouldBe(open);
        view["highestRiskEver"]!.GetValue<string>().ShouldBe("High");
        view["forces"]!.AsArray().Select(f => f!.GetValue<string>()).ShouldBe(["GMP"]);
    }

    [Fact]
    public async Task a_person_found_has_no_open_episode()
    {
        var reported = await Api.ReportMissing(Gmp);
        await Api.Found(Gmp, reported.EpisodeId);

        var view = (await Api.GetPerson(Gmp, reported.Json["personId"]!.GetValue<Guid>())).Json;

        view["openEpisodeId"].ShouldBeNull();
        view["highestRiskEver"].ShouldBeNull();
    }

    [Fact]
    public async Task the_history_lists_every_event_of_every_episode_in_the_order_recorded()
    {
        var subject = RegisterApi.NewSubject();
        var first = await Api.ChildMissing(Gmp, subject, lastSeenAt: RegisterApi.Now.AddDays(-3));
        var second = await Api.ChildMissing(Gmp, subject);
        await Api.AssessRisk(Gmp, first, "Low");
        await Api.Sighting(Gmp, second);
        var person = (await Api.GetEpisode(Gmp, first)).Json["personId"]!.GetValue<Guid>();

        var history = (await Api.GetHistory(As.Auditor, person)).Json.AsArray();

        history.Select(e => (e!["episodeId"]!.GetValue<Guid>(), e["type"]!.GetValue<string>())).ShouldBe(
        [
            (first, "MissingReported"), (second, "MissingReported"), (first, "RiskAssessed"), (second, "SightingRecorded"),
        ]);
        history.Select(e => e!["recordedAt"]!.GetValue<DateTimeOffset>()).ShouldBeInOrder();
    }
}
