using Marten;
using NationalRegister.Episodes;
using NationalRegister.People;

namespace NationalRegister.Audit;

/// <summary>Every stream that holds a person's history: each episode of each linked record, and each record's link stream.</summary>
public static class PersonStreams
{
    public static async Task<(LinkedPerson Person, Guid[] Episodes, Guid[] Streams)> Of(IQuerySession session, Guid personId, CancellationToken ct)
    {
        var person = await LinkedPerson.Resolve(session, personId, ct);
        Guid[] records = [.. person.Records];
        var episodes = await session.Query<Episode>().Where(e => records.Contains(e.PersonId)).Select(e => e.Id).ToListAsync(ct);
        var links = await session.Query<PersonLink>().Where(l => records.Contains(l.Id)).Select(l => l.Id).ToListAsync(ct);
        return (person, [.. episodes], [.. episodes, .. links]);
    }
}
