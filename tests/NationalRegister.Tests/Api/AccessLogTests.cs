using System.Net;
using NationalRegister.Analytics;
using NationalRegister.Audit.AccessLog;
using NationalRegister.Infrastructure.Auth;
using Npgsql;

namespace NationalRegister.Tests.Api;

/// <summary>
/// The access log (issue #11, Data Protection Act 2018 s62): every read of identifying data by any role, and every
/// refused attempt, is recorded with who, why, what and with what outcome before the answer leaves; when the record
/// cannot be written, nothing is answered.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class AccessLogTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private async Task<IReadOnlyList<AccessEntry>> WhoLookedAt(Guid person) =>
        (await Api.List<AccessEntry>(As.Auditor, $"/api/audit/access-log?personId={person}&pageSize=500")).Items;

    private async Task Sql(string sql)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task every_read_by_every_role_is_in_the_access_log_with_who_why_what_and_the_outcome()
    {
        var force = AnalyticsScenarios.NewForce();
        var area = AnalyticsScenarios.NewLocalAuthority();
        var episode = (await Api.ReportMissing(force, RegisterApi.Report(localAuthority: area))).EpisodeId;
        var person = (await Api.Episode(force, episode)).PersonId;

        await Api.Episode(As.ChildrensServices(area), episode);
        await Api.Get(As.Analyst, $"/api/episodes/{episode}", ("X-Correlation-Id", "analyst-read-1"));
        await Api.Person(force, person);
        await Api.Get(As.Auditor, $"/api/people/{person}/history", ("X-Justification", "Serious case review SCR-2026-4"));

        var log = await WhoLookedAt(person);
        log.Select(e => (e.User, e.Role, e.Agency, e.Endpoint, e.Outcome)).ShouldBe(
        [
            ("Auditor 1", Roles.Auditor, Roles.Auditor, "GET /api/people/{personId}/history", 200),
            ("PC 1234", Roles.Force, force.ForceCode, "GET /api/people/{personId}", 200),
            ("Analyst 1", Roles.Analyst, Roles.Analyst, "GET /api/episodes/{episodeId}", 200),
            ("RHI worker", Roles.ChildrensServices, area, "GET /api/episodes/{episodeId}", 200),
            ("PC 1234", Roles.Force, force.ForceCode, "GET /api/episodes/{episodeId}", 200),
        ]);
        log.ShouldAllBe(e => e.Action == "consultation" && e.UserVerified && e.PersonIds.Contains(person));
        log.Where(e => e.Endpoint.StartsWith("GET /api/episodes", StringComparison.Ordinal)).ShouldAllBe(e => e.EpisodeIds.Contains(episode));
        log[0].Justification.ShouldBe("Serious case review SCR-2026-4");
        log[0].EpisodeIds.ShouldBe([episode]);
        log.Single(e => e.Role == Roles.Analyst).CorrelationId.ShouldBe("analyst-read-1");
        log.Select(e => e.At).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task refused_attempts_are_recorded_with_what_was_attempted()
    {
        var episode = await Api.ChildMissing(Gmp);
        var person = (await Api.Episode(Gmp, episode)).PersonId;
        var forged = new AuthSettings { SigningKey = new string('x', 40) }
            .Issue([new("role", "auditor"), new("name", "Mallory")], DateTimeOffset.UtcNow);

        (await Api.GetEpisode(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetHistory(As.Analyst, person)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetHistory(As.Auditor, person, justification: null)).Status.ShouldBe(HttpStatusCode.BadRequest);
        var result = await Fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/people/{person}");
            s.WithRequestHeader("Authorization", $"Bearer {forged}");
            s.StatusCodeShouldBe(HttpStatusCode.Unauthorized);
        });
        result.Context.Response.StatusCode.ShouldBe(401);

        var refused = (await WhoLookedAt(person)).Where(e => e.Action == "refused").ToList();
        refused.Select(e => (e.User, e.Outcome)).ShouldBe([("Mallory", 401), ("Auditor 1", 400), ("Analyst 1", 403), ("PC 777", 403)]);
        refused[0].UserVerified.ShouldBeFalse();     // only what the refused token claimed
        (await Api.Get(Met, "/api/audit/access-log")).Status.ShouldBe(HttpStatusCode.Forbidden);
        var episodeLog = (await Api.List<AccessEntry>(As.Auditor, "/api/audit/access-log?user=PC%20777&pageSize=500")).Items;
        episodeLog.ShouldContain(e => e.Outcome == 403 && e.EpisodeIds.Contains(episode) && e.Agency == "MET");
    }

    [Fact]
    public async Task reading_the_access_log_is_itself_in_the_access_log()
    {
        var episode = await Api.ChildMissing(Gmp);
        var person = (await Api.Episode(Gmp, episode)).PersonId;

        await WhoLookedAt(person);

        (await WhoLookedAt(person)).ShouldContain(e => e.Endpoint == "GET /api/audit/access-log" && e.Justification == RegisterApi.Justification);
    }

    [Fact]
    public async Task the_access_log_answers_csv_and_filters_by_user_agency_and_time()
    {
        var force = AnalyticsScenarios.NewForce();
        var episode = await Api.ChildMissing(force);
        await Api.Episode(force, episode);

        var csv = await Api.GetText(As.Auditor, $"/api/audit/access-log?force={force.ForceCode}", "text/csv");
        var none = await Api.List<AccessEntry>(As.Auditor, $"/api/audit/access-log?force={force.ForceCode}&to=2000-01-01T00:00:00Z");

        csv.Split('\n')[0].ShouldStartWith("At,User,UserVerified,Role,Agency,Action,Endpoint");
        csv.ShouldContain(episode.ToString());
        none.Total.ShouldBe(0);
        (await Api.Get(As.Auditor, "/api/audit/access-log?force=ZZZ")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task when_the_access_log_cannot_be_written_nothing_is_answered()
    {
        var episode = await Api.ChildMissing(Gmp);
        await Sql("create or replace function register.refuse_access_records() returns trigger language plpgsql as $$ begin raise exception 'no'; end $$; " +
                  "create trigger refuse_access_records before insert on register.access_log for each row execute function register.refuse_access_records()");
        Reply refused;
        try
        {
            refused = await Api.GetEpisode(Gmp, episode);
        }
        finally
        {
            await Sql("drop trigger refuse_access_records on register.access_log; drop function register.refuse_access_records()");
        }

        refused.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        refused.Text.ShouldNotContain(episode.ToString());
        (await Api.GetEpisode(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);     // and the chain goes on where it was
        var (exitCode, stdout, _) = await RegisterProcess.Run(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Register"] = Fixture.ConnectionString, ["Audit__Anchors__Folder"] = Fixture.Anchors,
        }, "verify");
        stdout.ShouldNotContain("BROKEN access chain", customMessage: stdout);
        exitCode.ShouldBeOneOf(0, 1);     // other tests break event chains on purpose; the access log's must stand
    }

    [Theory]
    [InlineData("record = jsonb_set(record, '{user}', '\"Someone else\"')", "record = jsonb_set(record, '{user}', '\"PC 1234\"')")]
    [InlineData("user_name = 'Someone else'", "user_name = 'PC 1234'")]       // the column a filter by user reads
    public async Task an_edited_access_record_is_caught_by_verify(string edit, string undo)
    {
        var episode = await Api.ChildMissing(Gmp);
        var person = (await Api.Episode(Gmp, episode)).PersonId;

        await Sql($"update register.access_log set {edit} where person_ids @> array['{person}'::uuid]");
        var (exitCode, stdout, stderr) = await RegisterProcess.Run(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Register"] = Fixture.ConnectionString, ["Audit__Anchors__Folder"] = Fixture.Anchors,
        }, "verify");

        await Sql($"update register.access_log set {undo} where person_ids @> array['{person}'::uuid]");   // put back: others verify it too

        exitCode.ShouldBe(1, stderr);
        stdout.ShouldContain("BROKEN access chain");
        stdout.ShouldContain("changed");
    }
}
