using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.LocalPostgres;
using Npgsql;
using Xunit.Abstractions;

namespace NationalRegister.Tests.Infrastructure;

/// <summary>
/// More than one node (issue #12): two register processes on one PostgreSQL, Wolverine's Balanced durability sharing the
/// async projections and subscriptions out between them (each held by one node: the assignment table's key), both
/// taking writes; one killed with -9, the other takes its projections over and the views catch up with every write.
/// </summary>
public sealed class TwoNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"nr-nodes-{Guid.NewGuid():N}"[..20]);
    private LocalPostgresServer _postgres = null!;

    public async Task InitializeAsync() =>
        _postgres = await LocalPostgresServer.StartAsync(new LocalPostgresOptions(_folder, ThrowawayForTests: true), NullLogger.Instance);

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task two_balanced_nodes_take_writes_and_one_takes_the_others_projections_over_when_it_is_killed()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Register"] = _postgres.ConnectionString, ["Register__Durability"] = "Balanced",
            ["Audit__Anchors__Folder"] = Path.Combine(_folder, "anchors"), ["Audit__Anchors__IntervalMinutes"] = "0",
        };
        await using var first = await RunningRegister.Start(settings);
        await using var second = await RunningRegister.Start(settings);
        for (var i = 0; i < 4; i++)
        {
            (await first.ReportMissing()).Status.ShouldBe(201);
            (await second.ReportMissing()).Status.ShouldBe(201);
        }

        await Until(second, 8, TimeSpan.FromMinutes(2));
        var shared = await Assignments();
        output.WriteLine($"Assignments with both nodes up: {string.Join(", ", shared.Select(a => $"{a.Agent} on {a.Node}"))}");
        shared.Select(a => a.Node).Distinct().Count().ShouldBe(2, "Balanced shares the agents out between the two nodes");

        // Whichever node held which projections, the survivor must end up running them all, each caught up with the writes.
        await first.Kill();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 4; i++) (await second.ReportMissing()).Status.ShouldBe(201);
        await Until(second, 12, TimeSpan.FromMinutes(3));
        while (clock.Elapsed < TimeSpan.FromMinutes(3) && !(await OneNodeRunsEveryProjection() && await EveryShardCaughtUp()))
            await Task.Delay(500);
        output.WriteLine($"After the kill, the survivor ran every projection, each caught up, in {clock.Elapsed.TotalSeconds:N0} s");
        (await OneNodeRunsEveryProjection()).ShouldBeTrue(string.Join(", ", (await Assignments()).Select(a => $"{a.Agent} on {a.Node}")));
        (await EveryShardCaughtUp()).ShouldBeTrue();
    }

    private async Task<bool> OneNodeRunsEveryProjection() =>
        (await Assignments()).Where(a => a.Agent.StartsWith("event-subscriptions:", StringComparison.Ordinal)).Select(a => a.Node).Distinct().Count() == 1;

    /// <summary>Every projection and subscription at the high-water mark (the last event, once the daemon has seen it).</summary>
    private async Task<bool> EveryShardCaughtUp()
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) = 4 and bool_and(last_seq_id >= (select max(seq_id) from register.mt_events)) " +
            "from register.mt_event_progression where name like '%:All'", connection);
        return (bool)(await command.ExecuteScalarAsync() ?? false);
    }

    /// <summary>Until the open-episodes view, as the node serves it, counts this many.</summary>
    private static async Task Until(RunningRegister node, int open, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        var total = -1;
        while (clock.Elapsed < patience)
        {
            var (status, body) = await node.GetAsAnalyst("/api/analytics/open-episodes?pageSize=1");
            if (status == 200 && (total = JsonNode.Parse(body)!["total"]!.GetValue<int>()) >= open) return;
            await Task.Delay(500);
        }

        throw new TimeoutException($"The view counted {total} open episodes, not {open}, after {patience.TotalSeconds:N0} s:\n{node.Output[^Math.Min(node.Output.Length, 4000)..]}");
    }

    private async Task<List<(string Agent, Guid Node)>> Assignments()
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select id, node_id from register.wolverine_node_assignments order by id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        List<(string, Guid)> assignments = [];
        while (await reader.ReadAsync()) assignments.Add((reader.GetString(0), reader.GetGuid(1)));
        return assignments;
    }
}
