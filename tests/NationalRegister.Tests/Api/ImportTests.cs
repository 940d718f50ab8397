using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NationalRegister.Episodes;
using Npgsql;

namespace NationalRegister.Tests.Api;

/// <summary>
/// `import FILE...` (issue #12): a force's backfill through the register's own rules, run as the README runs it, beside
/// the serving register. Killed at any moment and run again, the result is one clean import: every message once, each
/// chain intact.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class ImportTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private const int Episodes = 600;
    private const int PerEpisode = 5; // report, assessment, sighting, found, closure

    [Fact]
    public async Task an_import_killed_midway_and_run_again_equals_one_clean_import()
    {
        var folder = Directory.CreateTempSubdirectory("nr-import-");
        var file = Path.Combine(folder.FullName, "backfill.ndjson");
        var episodes = Enumerable.Range(0, Episodes).Select(_ => RegisterApi.NewId()).ToArray();
        var subjects = episodes.Select(_ => RegisterApi.NewSubject()).ToArray();
        await File.WriteAllLinesAsync(file, episodes.SelectMany((episode, i) => Messages(episode, subjects[i], i % 2 == 0 ? "GMP" : "MET")));
        await File.AppendAllLinesAsync(file, [JsonSerializer.Serialize(new { type = "AssessRisk", episodeId = episodes[0], force = "GMP",
            message = new { messageId = RegisterApi.NewId(), expectedVersion = PerEpisode, level = "Absent", rationale = "x", assessedBy = "Sgt 1", assessedAt = RegisterApi.Now } })]);

        // Killed (SIGKILL) once some episodes are in, whatever it was doing; one lane, so it commits a hundred at a time.
        using (var first = Process.Start(RegisterProcess.StartInfo(Environment(), "import", file, "--parallel", "1"))!)
        {
            var drain = Task.WhenAll(first.StandardOutput.ReadToEndAsync(), first.StandardError.ReadToEndAsync());
            var clock = Stopwatch.StartNew();
            while (await Streams(episodes) < Episodes / 10 && !first.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(50);
            first.HasExited.ShouldBeFalse("the import finished before it could be killed: give it more to do");
            first.Kill();
            await first.WaitForExitAsync();
            await drain;
        }

        var midway = await Streams(episodes);
        midway.ShouldBeInRange(Episodes / 10, Episodes - 1);

        var (exitCode, _, stderr) = await RegisterProcess.Run(Environment(), "import", file, "--report", Path.Combine(folder.FullName, "refused.ndjson"));

        // The one bad line is refused and reported; everything else is in, once.
        exitCode.ShouldBe(1, stderr);
        stderr.ShouldContain($"Imported {Episodes * PerEpisode + 1:N0} messages ({Episodes * PerEpisode:N0} accepted, ");
        stderr.ShouldContain(" 1 refused)");
        var refused = (await File.ReadAllLinesAsync(Path.Combine(folder.FullName, "refused.ndjson"))).Select(l => JsonNode.Parse(l)!).Single();
        ((int)refused["line"]!, (int)refused["status"]!).ShouldBe((Episodes * PerEpisode + 1, 400));
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var counts = new NpgsqlCommand(
            "select (select count(*) from register.mt_events where stream_id = any(@ids)), " +
            "(select count(*) from register.mt_streams where id = any(@ids) and version = @version), " +
            "(select count(distinct (stream_id, version)) from register.mt_events where stream_id = any(@ids))", connection);
        counts.Parameters.AddWithValue("ids", episodes);
        counts.Parameters.AddWithValue("version", (long)PerEpisode);
        await using (var reader = await counts.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)).ShouldBe(((long)Episodes * PerEpisode, Episodes, (long)Episodes * PerEpisode));
        }

        // As the live path leaves them: the episode view, and every chain verifies.
        var view = await Api.Episode(As.Force("MET"), episodes[1]);
        (view.Status, view.Version, view.Force).ShouldBe((EpisodeStatus.Closed, (long)PerEpisode, "MET"));
        foreach (var episode in episodes.Where((_, i) => i % 30 == 0))
        {
            var person = (await Api.Episode(As.Auditor, episode)).PersonId;
            var verified = await Api.Get(As.Auditor, $"/api/audit/verify?personId={person}", ("X-Justification", "Import check, ref IC-2"));
            verified.Status.ShouldBe(HttpStatusCode.OK, verified.Text);
            verified.Json["intact"]!.GetValue<bool>().ShouldBeTrue(verified.Text);
        }

        folder.Delete(recursive: true);
    }

    private Dictionary<string, string?> Environment() => new()
    {
        ["ConnectionStrings__Register"] = Fixture.ConnectionString,
        ["Audit__Anchors__Folder"] = Fixture.Anchors,
        ["Audit__Anchors__IntervalMinutes"] = "0",
    };

    private async Task<long> Streams(Guid[] episodes)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from register.mt_streams where id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", episodes);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static IEnumerable<string> Messages(Guid episode, string subject, string force)
    {
        var lastSeen = RegisterApi.Now.AddDays(-30);
        object[] lines =
        [
            Batch.Report(episode, subject, lastSeen), Batch.AssessRisk(episode, 1), Batch.Sighting(episode, 2), Batch.Found(episode, 3), Batch.Close(episode, 4),
        ];
        return lines.Select(line =>
        {
            var node = JsonSerializer.SerializeToNode(line)!;
            node["force"] = force;
            return node.ToJsonString();
        });
    }
}
