using System.Net;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

[Collection(RegisterCollection.Name)]
public sealed class IdempotencyAndConcurrencyTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_replayed_report_returns_the_original_response_and_appends_nothing()
    {
        var body = RegisterApi.Report();
        var first = await Api.ReportMissing(Gmp, body);
        var replay = await Api.ReportMissing(Gmp, body);

        replay.Status.ShouldBe(HttpStatusCode.Created);
        replay.Json.ToJsonString().ShouldBe(first.Json.ToJsonString());
        var person = first.PersonId;
        (await Api.Person(Gmp, person)).Episodes.ShouldBe(1);
    }

    [Fact]
    public async Task the_same_report_sent_twice_at_once_opens_one_episode()
    {
        var body = RegisterApi.Report();

        var replies = await Task.WhenAll(Api.ReportMissing(Gmp, body), Api.ReportMissing(Gmp, body));

        replies.ShouldAllBe(r => r.Status == HttpStatusCode.Created);
        replies[1].Json.ToJsonString().ShouldBe(replies[0].Json.ToJsonString());
        var person = replies[0].PersonId;
        (await Api.Person(Gmp, person)).Episodes.ShouldBe(1);
    }

    [Fact]
    public async Task the_same_append_sent_twice_at_once_is_appended_once()
    {
        var episode = await Api.ChildMissing(Gmp);
        var messageId = RegisterApi.NewId();
        var at = RegisterApi.Now.AddMinutes(-20);

        var replies = await Task.WhenAll(
            Api.AssessRisk(Gmp, episode, "High", messageId: messageId, assessedAt: at),
            Api.AssessRisk(Gmp, episode, "High", messageId: messageId, assessedAt: at));

        replies.ShouldAllBe(r => r.Status == HttpStatusCode.OK);
        replies.Select(r => r.Version).ShouldBe([2, 2]);
        (await Api.Episode(Gmp, episode)).RiskAssessments.ShouldBe(1);
    }

    [Fact]
    public async Task a_messageId_is_scoped_to_its_force_and_never_answers_or_blocks_another()
    {
        var body = RegisterApi.Report();
        var gmp = await Api.ReportMissing(Gmp, body);

        var met = await Api.ReportMissing(Met, body);
        var metAgain = await Api.ReportMissing(Met, body);

        met.Status.ShouldBe(HttpStatusCode.Created);
        met.EpisodeId.ShouldNotBe(gmp.EpisodeId);
        metAgain.Json.ToJsonString().ShouldBe(met.Json.ToJsonString());
        (await Api.Episode(Met, met.EpisodeId)).Force.ShouldBe("MET");
    }

    [Fact]
    public async Task a_replayed_append_returns_the_original_version_even_after_later_appends()
    {
        var episode = await Api.ChildMissing(Gmp);
        var messageId = RegisterApi.NewId();
        var at = RegisterApi.Now.AddMinutes(-20);
        var first = await Api.AssessRisk(Gmp, episode, "High", messageId: messageId, assessedAt: at);
        await Api.Found(Gmp, episode);
        await Api.Close(Gmp, episode);

        var replay = await Api.AssessRisk(Gmp, episode, "High", messageId: messageId, assessedAt: at);

        replay.Status.ShouldBe(HttpStatusCode.OK);
        replay.Version.ShouldBe(first.Version);
        (await Api.Episode(Gmp, episode)).RiskAssessments.ShouldBe(1);
    }

    [Fact]
    public async Task a_messageId_reused_with_a_different_body_is_a_conflict()
    {
        var episode = await Api.ChildMissing(Gmp);
        var messageId = RegisterApi.NewId();
        var at = RegisterApi.Now.AddMinutes(-20);
        await Api.AssessRisk(Gmp, episode, "High", messageId: messageId, assessedAt: at);

        var reused = await Api.AssessRisk(Gmp, episode, "Low", messageId: messageId, assessedAt: at);

        reused.Status.ShouldBe(HttpStatusCode.Conflict);
        reused.Detail.ShouldContain("different body");
        (await Api.Episode(Gmp, episode)).RiskLevel.ShouldBe(RiskLevel.High);
    }

    [Fact]
    public async Task a_stale_expected_version_is_a_conflict_that_states_the_current_version()
    {
        var episode = await Api.ChildMissing(Gmp);
        await Api.AssessRisk(Gmp, episode, "Low", expectedVersion: 1);

        var stale = await Api.AssessRisk(Gmp, episode, "High", expectedVersion: 1);

        stale.Status.ShouldBe(HttpStatusCode.Conflict);
        stale.Json["currentVersion"]!.GetValue<long>().ShouldBe(2);
        stale.Detail.ShouldContain("version 2");
    }

    [Fact]
    public async Task two_appends_racing_with_the_same_expected_version_one_wins_one_conflicts()
    {
        for (var round = 0; round < 5; round++)
        {
            var episode = await Api.ChildMissing(Gmp);

            var replies = await Task.WhenAll(
                Api.AssessRisk(Gmp, episode, "High", expectedVersion: 1),
                Api.AssessRisk(Gmp, episode, "Low", expectedVersion: 1));

            replies.Count(r => r.Status == HttpStatusCode.OK).ShouldBe(1);
            replies.Count(r => r.Status == HttpStatusCode.Conflict).ShouldBe(1);
            (await Api.Episode(Gmp, episode)).Version.ShouldBe(2);
        }
    }

    [Fact]
    public async Task writers_on_one_episode_queue_and_all_fifty_appends_are_kept_in_order()
    {
        var episode = await Api.ChildMissing(Gmp);

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Api.Sighting(Gmp, episode)));

        replies.Select(r => r.Status).Distinct().ShouldBe([HttpStatusCode.OK]);
        replies.Select(r => r.Version).Order().ShouldBe(Enumerable.Range(2, 50).Select(v => (long)v));
        (await Api.Episode(Gmp, episode)).Sightings.ShouldBe(50);
    }
}
