using Marten;
using Marten.Events;

namespace NationalRegister.People;

/// <summary>
/// A person as the register now sees them: the surviving record and every record merged into it. Links are one hop
/// deep (a merge into a merged record goes to that record's survivor), so any id resolves in one or two reads, and an
/// id merged away keeps answering for the person it became part of.
/// </summary>
public sealed record LinkedPerson(Guid SurvivorId, IReadOnlyList<Guid> MergedFrom)
{
    public IReadOnlyList<Guid> Records => [SurvivorId, .. MergedFrom];

    public static async Task<LinkedPerson> Resolve(IQuerySession session, Guid personId, CancellationToken ct)
    {
        var links = await session.Query<PersonLink>().Where(l => l.Id == personId || l.SurvivorId == personId).ToListAsync(ct);
        if (links.FirstOrDefault(l => l.Id == personId)?.SurvivorId is not { } survivor)
            return new(personId, MergedInto(links, personId));
        return new(survivor, MergedInto(await session.Query<PersonLink>().Where(l => l.SurvivorId == survivor).ToListAsync(ct), survivor));
    }

    /// <summary>Many people at once, as <see cref="Resolve"/> sees each: two reads for all of them.</summary>
    public static async Task<IReadOnlyDictionary<Guid, LinkedPerson>> ResolveMany(IQuerySession session, IReadOnlyCollection<Guid> personIds,
        CancellationToken ct)
    {
        var ids = personIds.Distinct().ToArray();
        var own = (await session.LoadManyAsync<PersonLink>(ct, ids)).ToDictionary(l => l.Id);
        var survivors = ids.Select(id => own.GetValueOrDefault(id)?.SurvivorId ?? id).Distinct().Select(id => (Guid?)id).ToArray();
        var merged = await session.Query<PersonLink>().Where(l => survivors.Contains(l.SurvivorId)).ToListAsync(ct);
        return ids.ToDictionary(id => id, id => own.GetValueOrDefault(id)?.SurvivorId is { } survivor
            ? new LinkedPerson(survivor, MergedInto(merged, survivor))
            : new LinkedPerson(id, MergedInto(merged, id)));
    }

    /// <summary>
    /// The person as the register knew them at <paramref name="asOf"/>: the links as the merges and unmerges recorded by then
    /// left them (a merge done later is absent). Merges are analysts' rare decisions, so all of them up to then are folded.
    /// </summary>
    public static async Task<LinkedPerson> AsOf(IQuerySession session, Guid personId, DateTimeOffset asOf, CancellationToken ct)
    {
        var decisions = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(PeopleMerged), typeof(PeopleUnmerged)) && e.Timestamp <= asOf)
            .OrderBy(e => e.Sequence).ToListAsync(ct);
        var survivors = new Dictionary<Guid, Guid>();
        foreach (var decision in decisions)
        {
            if (decision.Data is PeopleMerged merged) survivors[merged.PersonId] = merged.IntoPersonId;
            if (decision.Data is PeopleUnmerged unmerged) survivors.Remove(unmerged.PersonId);
        }

        var survivor = survivors.GetValueOrDefault(personId, personId);
        return new(survivor, [.. survivors.Where(l => l.Value == survivor).Select(l => l.Key).Order()]);
    }

    public static IReadOnlyList<Guid> MergedInto(IEnumerable<PersonLink> links, Guid survivorId) =>
        [.. links.Where(l => l.SurvivorId == survivorId).Select(l => l.Id).Order()];
}
