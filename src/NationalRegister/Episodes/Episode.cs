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

    public static Episode Create(MissingReported e) => new()
    {
        Id = e.EpisodeId,
        Status = EpisodeStatus.Missing,
        Force = e.Force,
        ForceReference = e.ForceReference,
        PersonId = e.PersonId,
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

    public Episode Apply(EpisodeReviewed e) => this with { LastReviewedAt = e.ReviewedAt, NextReviewDue = e.NextReviewDue };
}
