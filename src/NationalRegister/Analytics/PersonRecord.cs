using System.Security.Cryptography;
using System.Text;
using JasperFx.Events.Projections;
using Marten.Events.Projections;
using NationalRegister.Episodes;

namespace NationalRegister.Analytics;

/// <summary>
/// One force's record of a person, kept by the async daemon from that force's reports: which force, and a match key over
/// the normalised family name, given name and date of birth. The key is what finds the same child reported by several
/// forces; it is never shown, and nothing here is merged without an analyst's decision.
/// </summary>
public sealed record PersonRecord
{
    public Guid Id { get; init; }
    public string Force { get; init; } = "";
    public string MatchKey { get; init; } = "";
    public int AgeWhenLastSeen { get; init; }
    /// <summary>When the person was last seen in the newest report, to work the age out again when a date of birth is corrected.</summary>
    public DateTimeOffset LastSeenAt { get; init; }
    public int Reports { get; init; }

    /// <summary>"O'Brien-Smith" and "obrien smith" are one name; so are "Zoë" and "Zoë" typed either way, letters only.</summary>
    public static string MatchKeyOf(PersonDetails person)
    {
        static string Letters(string s) => new([.. s.Where(char.IsLetter).Select(char.ToLowerInvariant)]);
        var text = $"{Letters(person.FamilyName)}|{Letters(person.GivenName)}|{person.DateOfBirth:yyyy-MM-dd}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

public sealed partial class PersonRecordProjection : MultiStreamProjection<PersonRecord, Guid>
{
    public PersonRecordProjection()
    {
        Identity<MissingReported>(e => e.PersonId);
        Identity<PersonDetailsCorrected>(e => e.PersonId);
        Identities<EpisodeRelinked>(e => [e.FromPersonId, e.ToPersonId]);
    }

    public PersonRecord Create(MissingReported e) => Apply(e, new PersonRecord { Id = e.PersonId });

    public PersonRecord Apply(MissingReported e, PersonRecord person) => person with
    {
        Force = e.Force,
        MatchKey = PersonRecord.MatchKeyOf(e.Person),
        AgeWhenLastSeen = AgeBands.YearsOld(e.Person.DateOfBirth, e.LastSeenAt),
        LastSeenAt = e.LastSeenAt,
        Reports = person.Reports + 1,
    };

    public PersonRecord Apply(PersonDetailsCorrected e, PersonRecord person) => person with
    {
        MatchKey = PersonRecord.MatchKeyOf(e.To), AgeWhenLastSeen = AgeBands.YearsOld(e.To.DateOfBirth, person.LastSeenAt),
    };

    /// <summary>An episode moved between two records of one force: the one it left counts one report fewer, the other one more.</summary>
    public PersonRecord Apply(EpisodeRelinked e, PersonRecord person) => person.Id == e.FromPersonId
        ? person with { Reports = person.Reports - 1 }
        : person with
        {
            Id = e.ToPersonId, Force = e.Force, MatchKey = PersonRecord.MatchKeyOf(e.Person), Reports = person.Reports + 1,
            AgeWhenLastSeen = AgeBands.YearsOld(e.Person.DateOfBirth, e.LastSeenAt), LastSeenAt = e.LastSeenAt,
        };
}
