using Marten;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Marten;

namespace NationalRegister.People.Merging;

/// <summary>The answer to a merge or an unmerge: the record, what it is now merged into (null once unmerged), its link's version.</summary>
public sealed record PersonLinked(Guid PersonId, Guid? SurvivorId, long Version);

/// <summary>
/// What the rules of a merge or unmerge read besides the record's own link, read under the people lock: which of the
/// records named have an episode, and the current links of those records and of any record merged into them.
/// </summary>
public sealed record LinkFacts(IReadOnlyCollection<Guid> Known, IReadOnlyList<PersonLink> Links)
{
    public bool Exists(Guid personId) => Known.Contains(personId);

    public PersonLink? LinkOf(Guid personId) => Links.FirstOrDefault(l => l.Id == personId);

    public Guid? SurvivorOf(Guid personId) => LinkOf(personId)?.SurvivorId;

    public IReadOnlyList<Guid> MergedInto(Guid personId) => LinkedPerson.MergedInto(Links, personId);
}

/// <summary>What merging and unmerging share, around their own pure deciders.</summary>
public static class Linking
{
    /// <summary>
    /// One link decision at a time, nationally. The rules read other records' links (no chains; a record others are
    /// merged into stays), which the row lock on one record's stream cannot protect: merging A into B while C is merged
    /// into A would otherwise leave a chain. Merges are rare analysts' decisions, so one transaction lock costs nothing.
    /// </summary>
    private const long PeopleLock = 0x4E52_5045_4F50_4C45; // "NRPEOPLE": clear of the small ids Marten and Wolverine lock

    public static string Rationale(FieldErrors fields, string? rationale)
    {
        var text = fields.Text("rationale", rationale, 2000, freeText: true);
        if (text.Length is > 0 and < 10) fields.Add("rationale", "must be at least 10 characters: say why.");
        return text;
    }

    /// <summary>Takes the people lock for this transaction, then reads what the rules need about the records named.</summary>
    public static async Task<LinkFacts> Read(IDocumentSession session, Guid personId, Guid? intoPersonId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await session.AdvancedSql.QueryAsync<int>("select 1 from pg_advisory_xact_lock(?)", ct, PeopleLock);

        Guid[] named = intoPersonId is { } into ? [personId, into] : [personId];
        var known = await session.Query<Episode>().Where(e => named.Contains(e.PersonId)).Select(e => e.PersonId).Distinct()
            .ToListAsync(ct);
        var links = await session.Query<PersonLink>()
            .Where(l => named.Contains(l.Id) || l.SurvivorId == personId)
            .ToListAsync(ct);
        return new LinkFacts([.. known], [.. links]);
    }

    /// <summary>
    /// The record's link as loaded (and locked) is the one read under the people lock. They differ only when the
    /// record's first merge was committed by someone else between the two reads: its stream did not exist to lock.
    /// </summary>
    public static Refusal? Unchanged(Guid personId, PersonLink? link, LinkFacts facts) =>
        (facts.LinkOf(personId)?.Version ?? 0) != (link?.Version ?? 0)
            ? new(RefusalKind.Conflict, "Merged meanwhile",
                $"Person record {personId} was merged or unmerged by another decision at the same moment. Read it again, then decide.")
            : null;

    /// <summary>
    /// The decider's answer as the endpoint's: accepted, its event and the answer recorded under the messageId;
    /// refused, the original answer if this very command was accepted before, otherwise the refusal.
    /// </summary>
    public static async Task<(IResult, Events)> Respond(Decision decision, ICommand command, Guid personId, PersonLink? link,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct)
    {
        if (decision.Refusal is { } refusal)
            return (await CommandLedger.Replay(session, caller, command, personId, ct) ?? refusal.ToProblem(), []);
        var survivor = decision.Events is [.., PeopleMerged merged] ? merged.IntoPersonId : (Guid?)null;
        var answer = new PersonLinked(personId, survivor, (link?.Version ?? 0) + decision.Events.Count);
        return (ledger.Accept(session, caller, command, personId, answer), new Events(decision.Events));
    }

    public static IResult UnknownPerson(Guid personId) => Problems.NotFound("person", personId);
}
