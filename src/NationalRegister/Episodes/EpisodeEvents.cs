namespace NationalRegister.Episodes;

/// <summary>
/// Every event of an episode says when it happened in the world. When it was recorded, by whom,
/// for which force or agency, and under which correlation and message id is stamped by the
/// register as event metadata (see <see cref="Infrastructure.Commands.CommandLedger"/>).
/// </summary>
public interface IEpisodeEvent
{
    DateTimeOffset OccurredAt { get; }
}

public sealed record PersonDetails(
    string ForceSubjectId, string GivenName, string FamilyName, DateOnly DateOfBirth, string Sex);

public sealed record MissingReported(
    Guid EpisodeId,
    Guid PersonId,
    string Force,
    string ForceReference,
    PersonDetails Person,
    bool IsChild,
    DateTimeOffset LastSeenAt,
    string LastSeenLocation,
    string Circumstances,
    DateTimeOffset ReportedAt,
    string ReportedBy,
    string? LocalAuthority) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => ReportedAt;
}

/// <param name="GradeAsGiven">The grade exactly as the force sent it, e.g. the legacy "NoApparentRisk".</param>
public sealed record RiskAssessed(
    RiskLevel Level, string GradeAsGiven, string Rationale, string AssessedBy, DateTimeOffset AssessedAt) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => AssessedAt;
}

public sealed record SightingRecorded(DateTimeOffset SeenAt, string Location, string Source) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => SeenAt;
}

public sealed record PersonFound(DateTimeOffset FoundAt, string Location, string FoundBy, FoundOutcome Outcome) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => FoundAt;
}

public sealed record ReturnInterviewRecorded(
    ReturnInterviewOutcome Outcome, DateTimeOffset ConductedAt, string ConductedBy, IReadOnlyList<string> Disclosures) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => ConductedAt;
}

public sealed record EpisodeClosed(DateTimeOffset ClosedAt, string ClosedBy, string Summary) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => ClosedAt;
}

/// <summary>The case moves to another force (the person is, or is believed to be, in its area); the sender keeps read access.</summary>
public sealed record EpisodeTransferred(string FromForce, string ToForce, string Reason, DateTimeOffset TransferredAt) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => TransferredAt;
}

/// <summary>A supervisor's review of an open case. Intervals are each force's own (configuration, never code).</summary>
/// <param name="NextReviewDue">When the supervisor set the next review; otherwise it falls due by the force's interval.</param>
public sealed record EpisodeReviewed(string ReviewedBy, DateTimeOffset ReviewedAt, bool RiskConfirmed, DateTimeOffset? NextReviewDue)
    : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => ReviewedAt;
}

/// <summary>
/// The episode's local authority is named by its ONS code from now on: a text recorded before the register had reference
/// data ("Manchester City Council") mapped to the authority it names, or a mapping put right. A correction recorded as an
/// event, never an edit: the report keeps the text as first sent, and mapping again reverses it.
/// </summary>
/// <param name="From">What the episode named before (a free text, or the code of an earlier mapping).</param>
/// <param name="To">The ONS code, as the reference data lists it.</param>
public sealed record LocalAuthorityMapped(string? From, string To, string Reason, DateTimeOffset MappedAt) : IEpisodeEvent
{
    DateTimeOffset IEpisodeEvent.OccurredAt => MappedAt;
}

/// <summary>
/// Corrections: a force puts right an earlier fact of its own episode. Each is a new event, never an edit: the history keeps
/// what was first recorded, who corrected it, when and why, and every view follows the corrected value from then on.
/// </summary>
public interface ICorrection : IEpisodeEvent
{
    string Reason { get; }
}

/// <summary>The person was last seen at another time: the episode moves into the windows and reports of the corrected time.</summary>
public sealed record LastSeenCorrected(DateTimeOffset From, DateTimeOffset To, string Reason, DateTimeOffset CorrectedAt) : ICorrection
{
    DateTimeOffset IEpisodeEvent.OccurredAt => CorrectedAt;
}

/// <summary>A mistyped name, date of birth or sex: the person's details as they should have been recorded.</summary>
/// <param name="PersonId">The person record the details are of (the match key of that record follows them).</param>
public sealed record PersonDetailsCorrected(Guid PersonId, PersonDetails From, PersonDetails To, string Reason, DateTimeOffset CorrectedAt)
    : ICorrection
{
    DateTimeOffset IEpisodeEvent.OccurredAt => CorrectedAt;
}

/// <summary>The episode was recorded under the wrong local authority (both by ONS code).</summary>
public sealed record LocalAuthorityCorrected(string? From, string To, string Reason, DateTimeOffset CorrectedAt) : ICorrection
{
    DateTimeOffset IEpisodeEvent.OccurredAt => CorrectedAt;
}

/// <summary>The episode was linked to the wrong person record: it belongs to the force's record of another subject.</summary>
/// <param name="Force">The force whose subject id <paramref name="Person"/> carries (the one that corrected it).</param>
/// <param name="LastSeenAt">When the person was last seen in this episode: the record it joins counts their age from it.</param>
public sealed record EpisodeRelinked(
    Guid FromPersonId, Guid ToPersonId, string Force, PersonDetails Person, DateTimeOffset LastSeenAt, string Reason, DateTimeOffset CorrectedAt)
    : ICorrection
{
    DateTimeOffset IEpisodeEvent.OccurredAt => CorrectedAt;
}

/// <summary>
/// An event recorded in error (a sighting of someone else, a grading or review of another case) no longer counts. It
/// carries what the episode's counts and grades are without it, worked out from the stream when it was retracted.
/// </summary>
public sealed record EventRetracted(
    long Version, string EventType, string Reason, DateTimeOffset RetractedAt, int Sightings, int RiskAssessments, RiskLevel? RiskLevel,
    RiskLevel? HighestRisk, DateTimeOffset? LastReviewedAt, DateTimeOffset? NextReviewDue) : ICorrection
{
    DateTimeOffset IEpisodeEvent.OccurredAt => RetractedAt;
}

public enum FoundOutcome { SafeAndWell, Harmed, CrimeVictim, Deceased }

public enum ReturnInterviewOutcome { Completed, Declined, NotPossible }

public enum EpisodeStatus { Missing, Found, Closed }
