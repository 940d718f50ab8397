using System.Net;
using Npgsql;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Checks that need no episode run before the episode's row lock (issue #12): a malformed append is refused at once even
/// while another writer holds that episode, and never waits for it.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class EarlyValidationTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task an_invalid_append_is_refused_without_waiting_for_the_episodes_lock()
    {
        var episode = await Api.ChildMissing(Gmp);
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // Another writer holds the episode's stream row, as an append in flight does.
            await using var hold = new NpgsqlCommand("select version from register.mt_streams where id = @id for update", connection, transaction);
            hold.Parameters.AddWithValue("id", episode);
            await hold.ExecuteScalarAsync();

            var refused = Api.AssessRisk(Gmp, episode, level: "Absent");
            (await Task.WhenAny(refused, Task.Delay(TimeSpan.FromSeconds(5)))).ShouldBe(refused, "the 400 waited for the lock");
            (await refused).Status.ShouldBe(HttpStatusCode.BadRequest);
            (await refused).Detail.ShouldContain("scrapped in January 2017");

            var valid = Api.AssessRisk(Gmp, episode, level: "High");
            (await Task.WhenAny(valid, Task.Delay(TimeSpan.FromMilliseconds(500)))).ShouldNotBe(valid, "a valid append waits its turn");
            await transaction.RollbackAsync();
            (await valid).Status.ShouldBe(HttpStatusCode.OK);
        }

        (await Api.Episode(Gmp, episode)).RiskAssessments.ShouldBe(1);
    }
}
