using System.Net;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.Audit.Verifying;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Integrity;
using Npgsql;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Tamper evidence (issue #11): rows changed behind the register's back, with SQL, under the running register, and the
/// verification reports each at its place. The chain's key never reaches the database, and the stream heads are anchored
/// outside it, so neither an edit, a deletion nor a forged row can be made to verify.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class TamperTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    /// <summary>
    /// A child reported, graded and sighted: one stream of three chained events. A name of its own, so that what is done
    /// to its rows behind the register's back never reaches the national views other tests compare (possible matches).
    /// </summary>
    private async Task<(Guid Person, Guid Episode)> ThreeEvents()
    {
        var episode = (await Api.ChildReportedBy(Gmp, familyName: $"Tampered{Guid.NewGuid():N}"[..16])).Episodes[0];
        (await Api.AssessRisk(Gmp, episode, "High")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        return ((await Api.Episode(Gmp, episode)).PersonId, episode);
    }

    private async Task<Verification> Verify(Guid person)
    {
        var reply = await Api.Get(As.Auditor, $"/api/audit/verify?personId={person}", ("X-Justification", "Integrity check, ref IC-1"));
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        return reply.Read<Verification>();
    }

    private async Task Sql(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The register's own checkpoint, as the background job or `anchor` writes it, once the daemon has caught up.</summary>
    private async Task Anchored()
    {
        await Fixture.CaughtUp();
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await Fixture.Host.Services.GetRequiredService<CheckpointFolder>().Write(connection, TimeProvider.System, CancellationToken.None);
    }

    private static void ShouldBreakAt(Verification verification, Guid stream, long version, string problem)
    {
        verification.Intact.ShouldBeFalse();
        verification.Breaks.ShouldContain(b => b.StreamId == stream && b.Version == version && b.Problem == problem,
            string.Join("; ", verification.Breaks.Select(b => $"{b.StreamId} v{b.Version} {b.Problem}")));
    }

    [Fact]
    public async Task an_untouched_history_verifies()
    {
        var (person, _) = await ThreeEvents();

        var verification = await Verify(person);

        verification.Intact.ShouldBeTrue(string.Join("; ", verification.Breaks.Select(b => b.Detail)));
        verification.Events.ShouldBe(3);
    }

    [Fact]
    public async Task an_edited_event_body_is_caught_at_its_version()
    {
        var (person, episode) = await ThreeEvents();

        await Sql("update register.mt_events set data = jsonb_set(data, '{level}', '\"Low\"') where stream_id = @s and version = 2", ("s", episode));

        var verification = await Verify(person);
        ShouldBreakAt(verification, episode, 2, "changed");
        verification.Breaks.Count.ShouldBe(1);      // the chain goes on from the stored link: one edit, one break
    }

    [Theory]
    [InlineData("user_name = 'Someone else'")]
    [InlineData("timestamp = timestamp - interval '3 days'")]
    [InlineData("headers = jsonb_set(headers, '{agency}', '\"MET\"')")]
    public async Task an_edited_metadata_field_is_caught_at_its_version(string edit)
    {
        var (person, episode) = await ThreeEvents();

        await Sql($"update register.mt_events set {edit} where stream_id = @s and version = 1", ("s", episode));

        ShouldBreakAt(await Verify(person), episode, 1, "changed");
    }

    [Fact]
    public async Task a_deleted_middle_event_is_caught_as_missing()
    {
        var (person, episode) = await ThreeEvents();

        await Sql("delete from register.mt_events where stream_id = @s and version = 2", ("s", episode));

        var verification = await Verify(person);
        ShouldBreakAt(verification, episode, 2, "missing");
        verification.Breaks.ShouldNotContain(b => b.Version == 3 && b.Problem == "changed");
    }

    [Fact]
    public async Task the_last_event_deleted_and_the_streams_version_fixed_is_caught_against_the_checkpoint()
    {
        var (person, episode) = await ThreeEvents();
        await Anchored();

        await Sql("delete from register.mt_events where stream_id = @s and version = 3; update register.mt_streams set version = 2 where id = @s",
            ("s", episode));

        ShouldBreakAt(await Verify(person), episode, 2, "head behind the checkpoint");
    }

    [Fact]
    public async Task a_forged_event_with_a_plausible_version_and_a_link_made_without_the_key_is_caught()
    {
        var (person, episode) = await ThreeEvents();
        await Anchored();
        // What someone with the database but not the key can do: copy a row as version 4, and compute a link of their own.
        var forged = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("forged")));

        await Sql("insert into register.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, " +
                  "causation_id, headers, user_name, is_archived) select nextval('register.mt_events_sequence'), gen_random_uuid(), stream_id, 4, " +
                  "jsonb_set(data, '{location}', '\"Nowhere\"'), type, now(), tenant_id, mt_dotnet_type, correlation_id, causation_id, " +
                  "jsonb_set(headers, '{link}', to_jsonb(@link::text)), user_name, is_archived from register.mt_events where stream_id = @s and version = 3; " +
                  "update register.mt_streams set version = 4 where id = @s", ("s", episode), ("link", forged));

        ShouldBreakAt(await Verify(person), episode, 4, "inserted");
    }

    [Fact]
    public async Task a_whole_stream_deleted_is_caught_against_the_checkpoint()
    {
        var (person, episode) = await ThreeEvents();
        await Anchored();

        await Sql("delete from register.mt_streams where id = @s", ("s", episode));    // its events go with it (on delete cascade)

        ShouldBreakAt(await Verify(person), episode, 3, "stream deleted");
    }

    [Fact]
    public async Task swapped_sequence_numbers_are_caught_as_reordered()
    {
        var (person, episode) = await ThreeEvents();

        // Swapped within the stream (version 2 takes version 3's sequence and back), so none goes missing for the async daemon.
        await Sql("do $$ declare s2 bigint; s3 bigint; begin " +
                  $"select seq_id into s2 from register.mt_events where stream_id = '{episode}' and version = 2; " +
                  $"select seq_id into s3 from register.mt_events where stream_id = '{episode}' and version = 3; " +
                  $"update register.mt_events set seq_id = -s3 where stream_id = '{episode}' and version = 3; " +
                  $"update register.mt_events set seq_id = s3 where stream_id = '{episode}' and version = 2; " +
                  $"update register.mt_events set seq_id = s2 where stream_id = '{episode}' and version = 3; end $$");

        ShouldBreakAt(await Verify(person), episode, 3, "reordered");
    }

    [Fact]
    public async Task an_event_written_with_a_backdated_timestamp_is_recorded_at_the_databases_time()
    {
        var (_, episode) = await ThreeEvents();
        var store = Fixture.Host.Services.GetRequiredService<IDocumentStore>();
        var before = DateTimeOffset.UtcNow;
        await using (var session = store.LightweightSession())
        {
            var stream = await session.Events.FetchForWriting<Episode>(episode);
            stream.AppendOne(new SightingRecorded(RegisterApi.Now.AddHours(-2), "Station", "CCTV"));
            foreach (var e in session.PendingChanges.Streams().SelectMany(s => s.Events)) e.Timestamp = new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero);
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession();
        var recorded = (await query.Events.FetchStreamAsync(episode)).Single(e => e.Version == 4).Timestamp;
        recorded.ShouldBeGreaterThan(before.AddSeconds(-5));
        recorded.ShouldBeLessThan(DateTimeOffset.UtcNow.AddSeconds(5));
        (await Verify((await Api.Episode(Gmp, episode)).PersonId)).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task appends_by_two_nodes_in_turn_chain_each_to_the_one_before()
    {
        // Each node remembers the heads it wrote; the other's append in between must make it look the head up again.
        var (person, episode) = await ThreeEvents();
        await using var other = await Fixture.StartSecondNode();
        var otherApi = new RegisterApi(other);

        (await otherApi.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await otherApi.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);

        (await Api.Episode(Gmp, episode)).Version.ShouldBe(6);
        (await Verify(person)).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_command_refused_at_commit_leaves_every_chain_intact()
    {
        // The same episode id reported again: the second commit meets the first stream, fails, and is answered 409.
        var episodeId = RegisterApi.NewId();
        var first = await Api.ReportMissing(Gmp, RegisterApi.Report(episodeId: episodeId));
        var again = await Api.ReportMissing(Gmp, RegisterApi.Report(episodeId: episodeId));

        first.Status.ShouldBe(HttpStatusCode.Created);
        again.Status.ShouldBe(HttpStatusCode.Conflict);
        (await Verify(first.PersonId)).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_checkpoint_altered_or_removed_is_reported()
    {
        await ThreeEvents();
        await Anchored();
        var (person, _) = await ThreeEvents();
        await Anchored();
        var folder = Fixture.Host.Services.GetRequiredService<CheckpointFolder>();
        var latest = Directory.GetFiles(folder.Path, "checkpoint-*.ndjson").Order(StringComparer.Ordinal).Last();
        var original = await File.ReadAllTextAsync(latest);

        try
        {
            await File.WriteAllTextAsync(latest, original.Replace("\"version\":3", "\"version\":2", StringComparison.Ordinal));
            (await Verify(person)).Checkpoint.Problems.ShouldContain(p => p.Contains("root does not verify", StringComparison.Ordinal));
        }
        finally
        {
            await File.WriteAllTextAsync(latest, original);
        }

        (await Verify(person)).Checkpoint.Problems.ShouldBeEmpty();
    }
}
