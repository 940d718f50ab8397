using Marten;

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

    public static IReadOnlyList<Guid> MergedInto(IEnumerable<PersonLink> links, Guid survivorId) =>
        [.. links.Where(l => l.SurvivorId == survivorId).Select(l => l.Id).Order()];
}
