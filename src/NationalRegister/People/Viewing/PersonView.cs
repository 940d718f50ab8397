using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;

namespace NationalRegister.People.Viewing;

/// <summary>One of a force's own episodes of the person.</summary>
public sealed record EpisodeSummary(
    Guid EpisodeId, string ForceReference, EpisodeStatus Status, DateTimeOffset ReportedAt, DateTimeOffset LastSeenAt);

/// <summary>The person as one force's records give them: from the newest report of that force's episodes.</summary>
/// <param name="ForceSubjectId">The force's own id of the person, from a report it made; null when it holds only episodes transferred
/// to it, whose subject id is the sending force's.</param>
public sealed record ForceRecord(
    string Force, string? ForceSubjectId, string GivenName, string FamilyName, DateOnly DateOfBirth, string Sex,
    IReadOnlyList<EpisodeSummary> Episodes);

public sealed record ForceEpisodes(string Force, int Episodes);

/// <summary>
/// A person across forces: the surviving record and every record merged into it. Counts are over all of them, for
/// everyone who may read the person. Details (names, date of birth, subject ids, references, episode ids) are a force's
/// own, for that force alone, and every force's for auditors; analysts get counts and an age band, never details.
/// </summary>
/// <param name="PersonId">The surviving record, whichever of the linked ids was asked for.</param>
/// <param name="MergedFrom">The records merged into it.</param>
/// <param name="AgeBand">From the age when last seen in the newest episode whose details the caller sees (analysts: the newest).</param>
/// <param name="OpenEpisodeId">The newest open episode among those whose details the caller sees.</param>
/// <param name="Records">One per force whose details the caller sees.</param>
public sealed record PersonView(
    Guid PersonId, IReadOnlyList<Guid> MergedFrom, string? AgeBand,
    int Episodes, int Last90Days, int Last365Days, int OpenEpisodes, Guid? OpenEpisodeId, RiskLevel? HighestRiskEver,
    IReadOnlyList<string> Forces, IReadOnlyList<ForceEpisodes> EpisodesByForce, IReadOnlyList<ForceRecord> Records)
{
    /// <summary>Whose details a caller sees: need to know (MoPI); analysts work with counts, never identities.</summary>
    public static Func<string, bool> DetailsFor(Caller caller) => caller.Role switch
    {
        Roles.Auditor => _ => true,
        Roles.Force when caller.Force is { } own => force => force == own,
        _ => _ => false,
    };

    /// <summary>Windows count episodes by when the person went missing (last seen), up to now.</summary>
    /// <param name="recorded">Episode ids in the order their person details were last recorded (reported, corrected, relinked).</param>
    /// <param name="analysed">An analyst's view: no details, but the age band of the newest episode.</param>
    public static PersonView Of(LinkedPerson person, IReadOnlyList<Episode> episodes, IReadOnlyList<Guid> recorded, Func<string, bool> detailed,
        bool analysed, DateTimeOffset now)
    {
        var forces = episodes.Select(e => e.Force).Distinct().Order(StringComparer.Ordinal).ToList();
        // A force's view of its own child says nothing another force recorded, the age band included.
        var newest = episodes.Where(e => (detailed(e.Force) || analysed) && e.Person is not null).MaxBy(e => e.LastSeenAt);
        return new(
            person.SurvivorId,
            person.MergedFrom,
            newest is null ? null : AgeBands.Of(AgeBands.YearsOld(newest.Person!.DateOfBirth, newest.LastSeenAt)),
            episodes.Count,
            episodes.Count(e => e.LastSeenAt > now.AddDays(-90) && e.LastSeenAt <= now),
            episodes.Count(e => e.LastSeenAt > now.AddDays(-365) && e.LastSeenAt <= now),
            episodes.Count(e => e.Status == EpisodeStatus.Missing),
            episodes.Where(e => e.Status == EpisodeStatus.Missing && detailed(e.Force)).OrderByDescending(e => e.LastSeenAt)
                .Select(e => (Guid?)e.Id).FirstOrDefault(),
            episodes.Max(e => e.HighestRisk),
            forces,
            [.. forces.Select(f => new ForceEpisodes(f, episodes.Count(e => e.Force == f)))],
            [.. forces.Where(detailed).Select(f => RecordOf(f, [.. episodes.Where(e => e.Force == f)], recorded)).OfType<ForceRecord>()]);
    }

    /// <summary>A force's record: the details recorded last among its episodes (reported or corrected); the subject id only from its own reports.</summary>
    private static ForceRecord? RecordOf(string force, IReadOnlyList<Episode> episodes, IReadOnlyList<Guid> recorded)
    {
        Episode? Newest(Func<Episode, bool> which) => episodes.Where(e => e.Person is not null && which(e)).MaxBy(e => LastIndexOf(recorded, e.Id));
        if (Newest(_ => true)?.Person is not { } p) return null;
        var subjectId = Newest(e => e.ReportingForce == force)?.Person!.ForceSubjectId;
        return new ForceRecord(force, subjectId, p.GivenName, p.FamilyName, p.DateOfBirth, p.Sex,
            [.. episodes.OrderByDescending(e => e.LastSeenAt)
                .Select(e => new EpisodeSummary(e.Id, e.ForceReference, e.Status, e.ReportedAt, e.LastSeenAt))]);
    }

    private static int LastIndexOf(IReadOnlyList<Guid> ids, Guid id)
    {
        for (var i = ids.Count - 1; i >= 0; i--) if (ids[i] == id) return i;
        return -1;
    }
}
