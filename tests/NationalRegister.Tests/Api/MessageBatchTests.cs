using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

/// <summary>
/// POST /api/messages (issue #12): many commands in one request, each through the single endpoint that takes it, with
/// that endpoint's answer, in the order sent; nothing refused holds up the rest, and a batch sent again changes nothing.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class MessageBatchTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_batch_records_a_whole_episode_and_refuses_what_the_single_endpoints_refuse()
    {
        var episode = RegisterApi.NewId();
        var absent = Batch.AssessRisk(episode, 1, level: "Absent");
        var reply = await Api.PostMessages(Gmp,
            Batch.Report(episode), Batch.AssessRisk(episode, 1), absent, new { type = "Teleport", message = new { } },
            Batch.Sighting(episode, 2), Batch.Found(episode, 3), Batch.Close(episode, 4));

        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        var results = reply.Json["results"]!.AsArray();
        results.Select(r => (int)r!["status"]!).ShouldBe([201, 200, 400, 400, 200, 200, 200]);
        results.Select(r => (int)r!["index"]!).ShouldBe([0, 1, 2, 3, 4, 5, 6]);
        results[4]!["body"]!["version"]!.GetValue<long>().ShouldBe(3);
        ((int)reply.Json["accepted"]!).ShouldBe(5);
        ((int)reply.Json["refused"]!).ShouldBe(2);
        results[0]!["location"]!.GetValue<string>().ShouldBe($"/api/episodes/{episode}");

        // The refusal is the single endpoint's own, word for word.
        var alone = await Api.PostRaw(Gmp, $"/api/episodes/{episode}/risk-assessments", JsonSerializer.SerializeToNode(absent)!["message"]!.ToJsonString());
        alone.Status.ShouldBe(HttpStatusCode.BadRequest);
        results[2]!["body"]!["detail"]!.GetValue<string>().ShouldBe(alone.Detail);
        results[3]!["body"]!["title"]!.GetValue<string>().ShouldBe("Unknown message type");

        var view = await Api.Episode(Gmp, episode);
        (view.Status, view.Version, view.Sightings, view.RiskAssessments).ShouldBe((EpisodeStatus.Closed, 5L, 1, 1));
    }

    [Fact]
    public async Task a_batch_sent_again_replays_every_answer_and_records_nothing_twice()
    {
        var episode = RegisterApi.NewId();
        object[] messages = [Batch.Report(episode), Batch.AssessRisk(episode, 1), Batch.Sighting(episode, 2)];
        var first = await Api.PostMessages(Gmp, messages);
        var again = await Api.PostMessages(Gmp, messages);

        Answers(again).ShouldBe(Answers(first));
        Answers(first).Select(a => a.Status).ShouldBe([201, 200, 200]);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(3);
    }

    [Fact]
    public async Task ndjson_is_answered_line_by_line_and_an_unreadable_line_holds_up_nothing()
    {
        var episode = RegisterApi.NewId();
        var body = string.Join('\n', JsonSerializer.Serialize(Batch.Report(episode)), "{\"type\": \"AssessRisk\", oops", "",
            JsonSerializer.Serialize(Batch.AssessRisk(episode, 1)));
        var reply = await Api.PostBody(Gmp, "/api/messages", body, "application/x-ndjson");

        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        reply.Headers["Content-Type"].ShouldStartWith("application/x-ndjson");
        var lines = reply.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Select(l => ((int)l["index"]!, (int)l["status"]!)).ShouldBe([(1, 201), (2, 400), (4, 200)]);
        lines[1]["body"]!["detail"]!.GetValue<string>().ShouldContain("not valid JSON");
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(2);
    }

    [Fact]
    public async Task a_batch_is_no_way_round_ownership_or_roles()
    {
        var episode = RegisterApi.NewId();
        (await Api.PostMessages(Gmp, Batch.Report(episode))).Status.ShouldBe(HttpStatusCode.OK);

        var met = await Api.PostMessages(Met, Batch.AssessRisk(episode, 1), Batch.Sighting(episode, 1, force: "GMP"));
        Answers(met).Select(a => a.Status).ShouldBe([403, 403]);
        var analyst = await Api.PostMessages(As.Analyst, Batch.Report(RegisterApi.NewId()));
        Answers(analyst).Single().Status.ShouldBe(403);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(1);

        (await Api.PostMessages(As.Nobody, Batch.Report(RegisterApi.NewId()))).Status.ShouldBe(HttpStatusCode.Unauthorized);
        var csv = await Api.PostBody(Gmp, "/api/messages", "type,message", "text/csv");
        csv.Status.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        csv.Headers["Content-Type"].ShouldStartWith("application/problem+json");
    }

    private static List<(int Status, string Body)> Answers(Reply reply) =>
        [.. reply.Json["results"]!.AsArray().Select(r => ((int)r!["status"]!, r["body"]!.ToJsonString()))];
}

/// <summary>Messages as a batch carries them: the single endpoints' bodies, each with its type and episode.</summary>
public static class Batch
{
    private static DateTimeOffset Now => RegisterApi.Now;

    public static object Report(Guid episode, string? subject = null, DateTimeOffset? lastSeenAt = null) => new
    {
        type = "ReportMissing",
        message = WithEpisode(RegisterApi.Report(subject, lastSeenAt: lastSeenAt ?? Now.AddHours(-6)), episode),
    };

    public static object AssessRisk(Guid episode, long expectedVersion, string level = "High") => new
    {
        type = "AssessRisk", episodeId = episode,
        message = new { messageId = RegisterApi.NewId(), expectedVersion, level, rationale = "Young, no phone", assessedBy = "Sgt 1", assessedAt = Now.AddHours(-4) },
    };

    public static object Sighting(Guid episode, long expectedVersion, string? force = null) => new
    {
        type = "RecordSighting", episodeId = episode, force,
        message = new { messageId = RegisterApi.NewId(), expectedVersion, seenAt = Now.AddHours(-3), location = "Bus station", source = "CCTV" },
    };

    public static object Found(Guid episode, long expectedVersion) => new
    {
        type = "RecordFound", episodeId = episode,
        message = new { messageId = RegisterApi.NewId(), expectedVersion, foundAt = Now.AddHours(-2), location = "Friend's house", foundBy = "PC 99", outcome = "SafeAndWell" },
    };

    public static object Close(Guid episode, long expectedVersion) => new
    {
        type = "CloseEpisode", episodeId = episode,
        message = new { messageId = RegisterApi.NewId(), expectedVersion, closedAt = Now.AddHours(-1), closedBy = "Insp 3", summary = "Found safe and well" },
    };

    private static JsonNode WithEpisode(object report, Guid episode)
    {
        var node = JsonSerializer.SerializeToNode(report)!;
        node["episodeId"] = episode;
        return node;
    }
}
