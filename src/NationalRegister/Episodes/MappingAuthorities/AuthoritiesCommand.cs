using System.Text.Json;
using JasperFx.CommandLine;
using Marten;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Reference;

namespace NationalRegister.Episodes.MappingAuthorities;

public sealed class AuthoritiesInput : NetCoreInput
{
    [Description("list: the local authorities episodes name that the reference data does not list; map: record the codes they name")]
    public string Action { get; set; } = "list";

    [Description("map: only episodes that name exactly this text (e.g. \"Manchester City Council\"); with --to")]
    [FlagAlias("from")]
    public string? FromFlag { get; set; }

    [Description("map: only this episode (also one mapped before: mapping again puts a mapping right); with --to")]
    [FlagAlias("episode")]
    public Guid? EpisodeFlag { get; set; }

    [Description("map: the authority they name, by ONS code or name as listed (GET /api/reference/local-authorities)")]
    [FlagAlias("to")]
    public string? ToFlag { get; set; }

    [Description("map: who is mapping, recorded on every event (e.g. \"Ops 4\")")]
    [FlagAlias("user")]
    public string? UserFlag { get; set; }

    [Description("map: why, recorded on every event; with --to it is required")]
    [FlagAlias("reason")]
    public string? ReasonFlag { get; set; }
}

/// <summary>
/// Episodes recorded before the register had reference data name their local authority in free text. `authorities list`
/// shows each text with its count and the authority it matches, if any; `authorities map` appends a
/// <see cref="LocalAuthorityMapped"/> event to every episode whose text is a listed code, name or official name, and with
/// --from or --episode and --to, maps what an operator decides. Events, never edits: the history keeps both.
/// </summary>
[Description("List or map the local authorities episodes name to the reference data", Name = "authorities")]
public sealed class AuthoritiesCommand : JasperFxAsyncCommand<AuthoritiesInput>
{
    private const int Batch = 200;

    private const string Unlisted =
        $"from {Episode.Table} where data->>'localAuthority' is not null and not (data->>'localAuthority' = any(:codes))";

    private sealed record Recorded(string Text, long Episodes);

    private sealed record Target(Guid Id, string? Text);

    public override async Task<bool> Execute(AuthoritiesInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var reference = host.Services.GetRequiredService<ReferenceData>();
        var clock = host.Services.GetRequiredService<TimeProvider>();
        string[] codes = [.. reference.LocalAuthorities.Items.Select(a => a.Code)];
        await using var query = store.QuerySession();

        if (input.Action is not ("list" or "map"))
        {
            await Console.Error.WriteLineAsync("Say what to do: `authorities list` or `authorities map ...` (see `help authorities`).");
            return false;
        }

        if (input.Action == "list")
        {
            var recorded = await query.AdvancedSql.QueryAsync<Recorded>(
                $"select jsonb_build_object('text', data->>'localAuthority', 'episodes', count(*)) {Unlisted} group by data->>'localAuthority' order by count(*) desc, data->>'localAuthority'",
                CancellationToken.None, new { codes });
            Console.WriteLine(recorded.Count == 0
                ? $"Every episode names its local authority by a code the reference data ({reference.LocalAuthorities.Version}) lists."
                : $"{recorded.Count} text(s) name no listed local authority ({recorded.Sum(r => r.Episodes)} episodes):");
            foreach (var r in recorded)
                Console.WriteLine(reference.LocalAuthority(r.Text) is { } match
                    ? $"  {Show(r.Text)}: {r.Episodes} episode(s), matches {match.Code} {match.Name} (`authorities map` maps it)"
                    : $"  {Show(r.Text)}: {r.Episodes} episode(s), no match (map with `authorities map --from {Show(r.Text)} --to CODE --reason ... --user ...`)");
            return true;
        }

        if (Check(input, reference) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return false;
        }

        var to = input.ToFlag is null ? null : reference.LocalAuthority(input.ToFlag)!.Code;
        var targets = input switch
        {
            { EpisodeFlag: { } episode } => await query.AdvancedSql.QueryAsync<Target>(
                $"select jsonb_build_object('id', id, 'text', data->>'localAuthority') from {Episode.Table} where id = :episode",
                CancellationToken.None, new { episode }),
            { FromFlag: { } from } => await query.AdvancedSql.QueryAsync<Target>(
                $"select jsonb_build_object('id', id, 'text', data->>'localAuthority') {Unlisted} and data->>'localAuthority' = :from",
                CancellationToken.None, new { codes, from }),
            _ => [.. (await query.AdvancedSql.QueryAsync<Target>(
                    $"select jsonb_build_object('id', id, 'text', data->>'localAuthority') {Unlisted}", CancellationToken.None, new { codes }))
                .Where(t => reference.LocalAuthority(t.Text) is not null)],
        };
        if (input.EpisodeFlag is { } id && targets.Count == 0)
        {
            await Console.Error.WriteLineAsync($"No episode has id {id}.");
            return false;
        }

        var reason = input.ReasonFlag?.Trim() ?? $"Named as the reference data {reference.LocalAuthorities.Version} lists it";
        var run = Guid.NewGuid().ToString("N");
        var mapped = 0;
        foreach (var chunk in targets.Chunk(Batch))
        {
            await using var session = store.LightweightSession();
            session.LastModifiedBy = input.UserFlag!.Trim();
            session.CorrelationId = run;
            session.CausationId = $"authorities-map-{run}";
            session.SetHeader(EventHeaders.Agency, "register");
            session.SetHeader(EventHeaders.Role, "operator");
            foreach (var target in chunk)
            {
                // Optimistic: a write to the episode meanwhile fails the batch, and running the command again picks it up.
                var stream = await session.Events.FetchForWriting<Episode>(target.Id);
                var code = to ?? reference.LocalAuthority(target.Text)!.Code;
                if (stream.Aggregate?.LocalAuthority != code)
                    stream.AppendOne(new LocalAuthorityMapped(stream.Aggregate?.LocalAuthority, code, reason, clock.GetUtcNow()));
            }

            try
            {
                await session.SaveChangesAsync();
            }
            catch (JasperFx.ConcurrencyException)
            {
                await Console.Error.WriteLineAsync(
                    $"Mapped {mapped} of {targets.Count}: an episode in the next {chunk.Length} was written to meanwhile. Run the same command again.");
                return false;
            }

            mapped += chunk.Length;
            Console.WriteLine($"Mapped {mapped} of {targets.Count} episode(s) ({100 * mapped / Math.Max(1, targets.Count)}%).");
        }

        if (targets.Count == 0) Console.WriteLine("Nothing to map: `authorities list` shows what remains.");
        return true;
    }

    private static string? Check(AuthoritiesInput input, ReferenceData reference) => input switch
    {
        { UserFlag: null or "" } => "--user is required: who is mapping (recorded on every event).",
        { ToFlag: { } to } when reference.LocalAuthority(to) is null => $"--to {ReferenceData.UnknownLocalAuthority}",
        { ToFlag: not null, ReasonFlag: null or "" } => "--reason is required with --to: say why these episodes name that authority.",
        { ToFlag: null, FromFlag: not null } or { ToFlag: null, EpisodeFlag: not null } => "--to is required with --from or --episode.",
        { FromFlag: not null, EpisodeFlag: not null } => "Give --from or --episode, not both.",
        { ToFlag: not null, FromFlag: null, EpisodeFlag: null } => "--to needs --from TEXT or --episode ID: which episodes to map.",
        _ => null,
    };

    /// <summary>As JSON, so a recorded text with quotes or odd characters shows as it is and cannot move the cursor.</summary>
    private static string Show(string text) => JsonSerializer.Serialize(text);
}
