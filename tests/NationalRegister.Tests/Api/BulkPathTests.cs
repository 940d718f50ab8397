using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Messages;
using Npgsql;

namespace NationalRegister.Tests.Api;

/// <summary>
/// The bulk path (issue #12) writes what the live path writes: the same history sent once through the single endpoints
/// (<c>bulk: false</c>) and once through the bulk path gets the same answers and the same events, metadata and all, and
/// where the live path refuses (a stale version, another force's episode), the bulk path leaves it to the live path.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class BulkPathTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private static readonly DateTimeOffset LastSeen = RegisterApi.Now.AddDays(-20);

    [Fact]
    public async Task whole_episodes_in_bulk_get_the_answers_and_events_the_live_path_gives()
    {
        var live = await Import(bulk: false);
        var bulk = await Import(bulk: true);

        bulk.Answers.Select(a => a.Status).ShouldBe(live.Answers.Select(a => a.Status));
        live.Answers.Select(a => a.Status).ShouldContain(409); // the stale version
        live.Answers.Select(a => a.Status).ShouldContain(403); // another force's episode
        for (var i = 0; i < live.Episodes.Length; i++)
            (await Events(bulk.Episodes[i], bulk)).ShouldBe(await Events(live.Episodes[i], live), $"episode {i}");

        // The four whole episodes took the bulk path, each in one transaction at most (several share one when they are
        // waiting together); the live path used a transaction per message.
        bulk.Answers.Count(a => a.Bulk).ShouldBe(4 * 9);
        live.Answers.Count(a => a.Bulk).ShouldBe(0);
        Guid[] whole = [bulk.Episodes[0], bulk.Episodes[3], bulk.Episodes[4], bulk.Episodes[5]];
        (await Transactions(whole)).ShouldBeLessThanOrEqualTo(4);
        (await Transactions([live.Episodes[0], live.Episodes[3], live.Episodes[4], live.Episodes[5]])).ShouldBe(4 * 9);

        foreach (var episode in bulk.Episodes)
        {
            var person = (await Api.Episode(As.Auditor, episode)).PersonId;
            var verified = await Api.Get(As.Auditor, $"/api/audit/verify?personId={person}");
            verified.Json["intact"]!.GetValue<bool>().ShouldBeTrue(verified.Text);
        }
    }

    private async Task<long> Transactions(Guid[] episodes)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(distinct timestamp) from register.mt_events where stream_id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", episodes);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed record Imported(Guid[] Episodes, string[] Subjects, List<MessageResult> Answers);

    private async Task<Imported> Import(bool bulk)
    {
        var episodes = Enumerable.Range(0, 6).Select(_ => RegisterApi.NewId()).ToArray();
        var subjects = episodes.Select(_ => RegisterApi.NewSubject()).ToArray();
        var lines = episodes.SelectMany((episode, i) => History(episode, subjects[i], i))
            .Select((node, index) => new BatchLine(index, node.Deserialize<BatchMessage>(Reply.JsonOptions), null)).ToList();
        List<MessageResult> answers = [];
        var agencies = Fixture.Host.Services.GetRequiredService<IKnownAgencies>();
        await Fixture.Host.Services.GetRequiredService<MessageBatch>().Run(Lines(lines), m => ImportCommand.Sender(m, "importer", agencies), "bulk-path-test", 2,
            result => { answers.Add(result); return ValueTask.CompletedTask; }, CancellationToken.None, bulk);
        answers.Select(a => a.Index).ShouldBe(Enumerable.Range(0, lines.Count));
        return new Imported(episodes, subjects, answers);
    }

    /// <summary>A child's whole episode: graded twice, seen, reviewed, moved to the Met, found, interviewed, closed.</summary>
    private static IEnumerable<JsonNode> History(Guid episode, string subject, int variant)
    {
        var at = LastSeen;
        JsonNode Line(string type, string force, object message, bool report = false)
        {
            var node = JsonSerializer.SerializeToNode(new { type, episodeId = report ? (Guid?)null : episode, force }, Reply.JsonOptions)!;
            node["message"] = JsonSerializer.SerializeToNode(message, Reply.JsonOptions);
            if (force.Length == 9) { node.AsObject().Remove("force"); node["localAuthority"] = force; }
            return node;
        }

        var report = JsonSerializer.SerializeToNode(RegisterApi.Report(subject, lastSeenAt: at, localAuthority: "E08000003"))!;
        report["episodeId"] = episode;
        yield return Line("ReportMissing", "GMP", report, report: true);
        yield return Line("AssessRisk", "GMP", new { messageId = RegisterApi.NewId(), expectedVersion = 1, level = "High", rationale = "Young", assessedBy = "Sgt 1", assessedAt = at.AddHours(2) });
        // Variant 1 sends a stale version; variant 2 a sighting from a force that does not hold the episode.
        yield return Line("AssessRisk", variant == 2 ? "WMP" : "GMP", new { messageId = RegisterApi.NewId(), expectedVersion = variant == 1 ? 1 : 2, level = "Medium", rationale = "Seen on CCTV", assessedBy = "Sgt 2", assessedAt = at.AddHours(3) });
        var v = variant is 1 or 2 ? 2 : 3;
        yield return Line("RecordSighting", "GMP", new { messageId = RegisterApi.NewId(), expectedVersion = v++, seenAt = at.AddHours(4), location = "Bus station", source = "CCTV" });
        yield return Line("ReviewEpisode", "GMP", new { messageId = RegisterApi.NewId(), expectedVersion = v++, reviewedBy = "Insp 1", reviewedAt = at.AddHours(5), riskConfirmed = true });
        yield return Line("TransferEpisode", "GMP", new { messageId = RegisterApi.NewId(), expectedVersion = v++, toForce = "MET", reason = "Believed in London" });
        yield return Line("RecordFound", "MET", new { messageId = RegisterApi.NewId(), expectedVersion = v++, foundAt = at.AddHours(20), location = "Friend's flat", foundBy = "PC 2", outcome = "SafeAndWell" });
        yield return Line("RecordReturnInterview", "E08000003", new { messageId = RegisterApi.NewId(), expectedVersion = v++, outcome = "Completed", conductedAt = at.AddHours(40), conductedBy = "RHI worker", disclosures = new[] { "Child criminal exploitation" } });
        yield return Line("CloseEpisode", "MET", new { messageId = RegisterApi.NewId(), expectedVersion = v, closedAt = at.AddHours(41), closedBy = "Insp 3", summary = "Found safe" });
    }

    private static async IAsyncEnumerable<BatchLine> Lines(IEnumerable<BatchLine> lines)
    {
        foreach (var line in lines) yield return line;
        await Task.CompletedTask;
    }

    /// <summary>Each event as stored, with the ids that differ between the two runs put back to names.</summary>
    private async Task<List<string>> Events(Guid episode, Imported run)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select version, type, data::text, user_name, correlation_id, causation_id, headers - 'link' from register.mt_events where stream_id = @id order by version",
            connection);
        command.Parameters.AddWithValue("id", episode);
        var index = Array.IndexOf(run.Episodes, episode);
        var messages = run.Answers.Where(a => a.Status is >= 200 and < 300).ToDictionary(a => a.MessageId!.Value.ToString(), a => $"message {a.Index - Offset(run, index)}");
        List<string> events = [];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var data = reader.GetString(2).Replace(episode.ToString(), "EPISODE", StringComparison.Ordinal).Replace(run.Subjects[index], "SUBJECT", StringComparison.Ordinal);
            var person = JsonNode.Parse(data)!["personId"]?.GetValue<string>();
            if (person is not null) data = data.Replace(person, "PERSON", StringComparison.Ordinal);
            var references = JsonNode.Parse(data)!["forceReference"]?.GetValue<string>();
            if (references is not null) data = data.Replace(references, "REFERENCE", StringComparison.Ordinal);
            events.Add($"{reader.GetInt64(0)} {reader.GetString(1)} {data} {reader.GetString(3)} {reader.GetString(4)} {messages[reader.GetString(5)]} {reader.GetString(6)}");
        }

        events.Count.ShouldBeGreaterThan(5);
        return events;
    }

    private static int Offset(Imported run, int episode) => episode * 9;
}
