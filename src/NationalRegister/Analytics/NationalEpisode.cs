using NationalRegister.Episodes;

namespace NationalRegister.Analytics;

/// <summary>
/// One episode's row in the national views' table (<see cref="NationalEpisodes"/>), folded from its events. It holds what
/// analysts may see (an opaque personId, an age, no name, date of birth or reference) and the instants the views need;
/// anything that depends on "now" (missing for over 72 hours, overdue) is worked out at query time.
/// </summary>
public sealed record NationalEpisode
{
    public Guid Id { get; init; }
    public Guid PersonId { get; init; }
    public string Force { get; init; } = "";
    /// <summary>The force that reported it, whoever owns it after a transfer: the annual report counts incidents by it.</summary>
    public string ReportingForce { get; init; } = "";
    public string? LocalAuthority { get; init; }
    public bool IsChild { get; init; }
    /// <summary>Whole years when last seen: the age band analysts see.</summary>
    public int AgeWhenLastSeen { get; init; }
    /// <summary>To work the age out again when a correction moves the last-seen time or the date of birth; no view selects it.</summary>
    public DateOnly DateOfBirth { get; init; }
    public EpisodeStatus Status { get; init; }
    public RiskLevel? RiskLevel { get; init; }
    public RiskLevel? HighestRisk { get; init; }
    public DateTimeOffset ReportedAt { get; init; }
    public DateTimeOffset LastSeenAt { get; init; }
    public DateTimeOffset? FoundAt { get; init; }
    public FoundOutcome? Outcome { get; init; }
    public DateTimeOffset? ReturnInterviewAt { get; init; }
    public ReturnInterviewOutcome? ReturnInterviewOutcome { get; init; }
    public DateTimeOffset? LastReviewedAt { get; init; }
    public DateTimeOffset? NextReviewDue { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>The row after one more event of its episode; events the views do not follow leave it as it is.</summary>
    public NationalEpisode Apply(object e) => e switch
    {
        RiskAssessed x => Apply(x),
        PersonFound x => Apply(x),
        ReturnInterviewRecorded x => Apply(x),
        EpisodeClosed x => Apply(x),
        EpisodeTransferred x => Apply(x),
        LocalAuthorityMapped x => Apply(x),
        LastSeenCorrected x => Apply(x),
        PersonDetailsCorrected x => Apply(x),
        LocalAuthorityCorrected x => Apply(x),
        EpisodeRelinked x => Apply(x),
        EventRetracted x => Apply(x),
        EpisodeReviewed x => Apply(x),
        _ => this,
    };

    public static NationalEpisode Create(MissingReported e) => new()
    {
        Id = e.EpisodeId,
        PersonId = e.PersonId,
        Force = e.Force,
        ReportingForce = e.Force,
        LocalAuthority = e.LocalAuthority,
        IsChild = e.IsChild,
        AgeWhenLastSeen = AgeBands.YearsOld(e.Person.DateOfBirth, e.LastSeenAt),
        DateOfBirth = e.Person.DateOfBirth,
        Status = EpisodeStatus.Missing,
        ReportedAt = e.ReportedAt,
        LastSeenAt = e.LastSeenAt,
    };

    public NationalEpisode Apply(RiskAssessed e) => this with
    {
        RiskLevel = e.Level,
        HighestRisk = HighestRisk is { } h && h > e.Level ? h : e.Level,
    };

    public NationalEpisode Apply(PersonFound e) => this with { Status = EpisodeStatus.Found, FoundAt = e.FoundAt, Outcome = e.Outcome };

    public NationalEpisode Apply(ReturnInterviewRecorded e) =>
        this with { ReturnInterviewAt = e.ConductedAt, ReturnInterviewOutcome = e.Outcome };

    public NationalEpisode Apply(EpisodeClosed e) => this with { Status = EpisodeStatus.Closed, ClosedAt = e.ClosedAt };

    public NationalEpisode Apply(EpisodeTransferred e) => this with { Force = e.ToForce };

    public NationalEpisode Apply(LocalAuthorityMapped e) => this with { LocalAuthority = e.To };

    // Corrections: every view follows the corrected value (a corrected last-seen time moves the episode's windows and bands).
    public NationalEpisode Apply(LastSeenCorrected e) => Aged(DateOfBirth, e.To);

    public NationalEpisode Apply(PersonDetailsCorrected e) => Aged(e.To.DateOfBirth, LastSeenAt);

    public NationalEpisode Apply(LocalAuthorityCorrected e) => this with { LocalAuthority = e.To };

    public NationalEpisode Apply(EpisodeRelinked e) => Aged(e.Person.DateOfBirth, LastSeenAt) with { PersonId = e.ToPersonId };

    public NationalEpisode Apply(EventRetracted e) =>
        this with { RiskLevel = e.RiskLevel, HighestRisk = e.HighestRisk, LastReviewedAt = e.LastReviewedAt, NextReviewDue = e.NextReviewDue };

    private NationalEpisode Aged(DateOnly dateOfBirth, DateTimeOffset lastSeenAt) => this with
    {
        DateOfBirth = dateOfBirth, LastSeenAt = lastSeenAt, AgeWhenLastSeen = AgeBands.YearsOld(dateOfBirth, lastSeenAt),
        IsChild = EpisodeRules.IsChild(dateOfBirth, lastSeenAt),
    };

    public NationalEpisode Apply(EpisodeReviewed e) => this with { LastReviewedAt = e.ReviewedAt, NextReviewDue = e.NextReviewDue };
}
