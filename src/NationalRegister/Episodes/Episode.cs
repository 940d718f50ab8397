namespace NationalRegister.Episodes;

/// <summary>
/// One missing episode: the decider state the commands are checked against, and the episode view
/// (kept by an inline snapshot, so it is current in the same transaction as the events).
/// </summary>
public sealed record Episode
{
    /// <summary>Where the inline snapshot lives, for the few reads that are plain SQL.</summary>
    public const string Table = $"{Infrastructure.EventStore.Schema}.mt_doc_episode";


    public Guid Id { get; init; }
    /// <summary>The stream version; Marten sets it by convention after each event.</summary>
    public long Version { get; set; }
    public EpisodeStatus Status { get; init; }
    public string Force { get; init; } = "";
    public string ForceReference { get; init; } = "";
    public Guid PersonId { get; init; }
    /// <summary>The force that reported it: its subject id is that force's, whoever owns the episode after a transfer.</summary>
    public string ReportingForce { get; init; } = "";
    /// <summary>Who is missing, as reported or since corrected (never shown to analysts).</summary>
    public PersonDetails? Person { get; init; }
    public bool IsChild { get; init; }
    public string? LocalAuthority { get; init; }
    public RiskLevel? RiskLevel { get; init; }
    public RiskLevel? HighestRisk { get; init; }
    public int RiskAssessments { get; init; }
    public DateTimeOffset ReportedAt { get; init; }
    public DateTimeOffset LastSeenAt { get; init; }
    public DateTimeOffset? FoundAt { get; init; }
    public FoundOutcome? Outcome { get; init; }
    public int Sightings { get; init; }
    public ReturnInterviewOutcome? ReturnInterviewOutcome { get; init; }
    public DateTimeOffset? ReturnInterviewConductedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    /// <summary>Forces that held the episode before it was transferred: they keep read access.</summary>
    public IReadOnlyList<string> PreviousForces { get; init; } = [];
    public DateTimeOffset? LastReviewedAt { get; init; }
    public DateTimeOffset? NextReviewDue { get; init; }
    /// <summary>Versions of events recorded in error and retracted since.</summary>
    public IReadOnlyList<long> Retracted { get; init; } = [];

    public static Episode Create(MissingReported e) => new()
    {
        Id = e.EpisodeId,
        Status = EpisodeStatus.Missing,
        Force = e.Force,
        ForceReference = e.ForceReference,
        PersonId = e.PersonId,
        ReportingForce = e.Force,
        Person = e.Person,
        IsChild = e.IsChild,
        LocalAuthority = e.LocalAuthority,
        ReportedAt = e.ReportedAt,
        LastSeenAt = e.LastSeenAt,
    };

    public Episode Apply(RiskAssessed e) => this with
    {
        RiskLevel = e.Level,
        HighestRisk = HighestRisk is { } h && h > e.Level ? h : e.Level,
        RiskAssessments = RiskAssessments + 1,
    };

    public Episode Apply(SightingRecorded e) => this with { Sightings = Sightings + 1 };

    public Episode Apply(PersonFound e) => this with { Status = EpisodeStatus.Found, FoundAt = e.FoundAt, Outcome = e.Outcome };

    public Episode Apply(ReturnInterviewRecorded e) =>
        this with { ReturnInterviewOutcome = e.Outcome, ReturnInterviewConductedAt = e.ConductedAt };

    public Episode Apply(EpisodeClosed e) => this with { Status = EpisodeStatus.Closed, ClosedAt = e.ClosedAt };

    public Episode Apply(EpisodeTransferred e) => this with { Force = e.ToForce, PreviousForces = [.. PreviousForces, e.FromForce] };

    public Episode Apply(LocalAuthorityMapped e) => this with { LocalAuthority = e.To };

    public Episode Apply(LastSeenCorrected e) => this with
    {
        LastSeenAt = e.To, IsChild = Person is { } p ? EpisodeRules.IsChild(p.DateOfBirth, e.To) : IsChild,
    };

    public Episode Apply(PersonDetailsCorrected e) => this with { Person = e.To, IsChild = EpisodeRules.IsChild(e.To.DateOfBirth, LastSeenAt) };

    public Episode Apply(LocalAuthorityCorrected e) => this with { LocalAuthority = e.To };

    public Episode Apply(EpisodeRelinked e) => this with
    {
        PersonId = e.ToPersonId, ReportingForce = e.Force, Person = e.Person, IsChild = EpisodeRules.IsChild(e.Person.DateOfBirth, LastSeenAt),
    };

    public Episode Apply(EventRetracted e) => this with
    {
        Retracted = [.. Retracted, e.Version], Sightings = e.Sightings, RiskAssessments = e.RiskAssessments, RiskLevel = e.RiskLevel,
        HighestRisk = e.HighestRisk, LastReviewedAt = e.LastReviewedAt, NextReviewDue = e.NextReviewDue,
    };

    public Episode Apply(EpisodeReviewed e) => this with { LastReviewedAt = e.ReviewedAt, NextReviewDue = e.NextReviewDue };
}
