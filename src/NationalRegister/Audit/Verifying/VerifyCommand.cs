using JasperFx.CommandLine;
using Marten;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;

namespace NationalRegister.Audit.Verifying;

public sealed class VerifyInput : NetCoreInput
{
    [Description("Only this person's streams (any of their record ids)")]
    [FlagAlias("person")]
    public Guid? PersonFlag { get; set; }
}

/// <summary>
/// Recomputes every chain in the register and compares its heads with the latest checkpoint, printing each broken place
/// and a progress line with the rate; exits 1 when anything is broken, so a scheduler or a pipeline notices.
/// </summary>
[Description("Verify the event chains against the rows as stored and the latest checkpoint", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public override async Task<bool> Execute(VerifyInput input)
    {
        using var host = input.BuildHost();
        var verifier = host.Services.GetRequiredService<ChainVerifier>();
        var checkpoints = host.Services.GetRequiredService<CheckpointFolder>();
        var database = host.Services.GetRequiredService<RegisterDatabase>();
        Guid[]? streams = null;
        if (input.PersonFlag is { } person)
        {
            await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
            streams = (await PersonStreams.Of(session, person, CancellationToken.None)).Streams;
        }

        var anchors = checkpoints.Read();
        var (problems, heads, toSequence) = (anchors.Problems, anchors.Streams, anchors.ToSequence);
        foreach (var problem in problems) Console.WriteLine($"BROKEN checkpoint {problem}");
        Console.Error.WriteLine(heads.Count == 0
            ? $"No checkpoint in {checkpoints.Path}: deleted last events and deleted streams cannot be caught (run `anchor`)."
            : $"Comparing with {heads.Count:N0} stream heads anchored up to sequence {toSequence:N0} in {checkpoints.Path}.");
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = await verifier.Verify(connection, streams, streams is null ? heads : heads.Where(h => streams.Contains(h.Key)).ToDictionary(),
            count => Console.Error.WriteLine($"Verified {count:N0} events ({count / clock.Elapsed.TotalSeconds:N0} events/s)..."), CancellationToken.None);
        foreach (var broken in report.Breaks)
            Console.WriteLine($"BROKEN stream {broken.StreamId} version {broken.Version} sequence {broken.Sequence}: {broken.Problem}. {broken.Detail}");
        var access = streams is null
            ? await host.Services.GetRequiredService<AccessChains>().Verify(connection, anchors.AccessChains, CancellationToken.None)
            : new ChainReport(0, 0, [], TimeSpan.Zero);
        foreach (var broken in access.Breaks)
            Console.WriteLine($"BROKEN access chain {broken.StreamId} record {broken.Version}: {broken.Problem}. {broken.Detail}");
        if (streams is null)
            Console.WriteLine($"Access log {(access.Intact ? "intact" : $"{access.Breaks.Count} break(s)")}: {access.Events:N0} records in {access.Streams:N0} chains.");
        Console.WriteLine($"{(report.Intact ? "Intact" : $"{report.Breaks.Count} break(s)")}: {report.Events:N0} events in {report.Streams:N0} streams, " +
                          $"{report.Took.TotalSeconds:0.0} s ({report.EventsPerSecond:N0} events/s).");
        return report.Intact && access.Intact && problems.Count == 0;
    }
}
