using NationalRegister.Infrastructure.Commands;

namespace NationalRegister.Episodes;

/// <summary>Rules every append to an episode obeys. Pure: the clock is passed in, never read.</summary>
public static class EpisodeRules
{
    /// <summary>Clocks drift; a report stamped a little ahead of the register is not an error, one far ahead is.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>DfE statutory guidance (2014): a return interview is offered within 72 hours of the child's return.</summary>
    public static readonly TimeSpan ReturnInterviewWindow = TimeSpan.FromHours(72);

    public static Refusal? NotInFuture(string field, DateTimeOffset at, DateTimeOffset now) =>
        at > now + FutureTolerance
            ? new(RefusalKind.Unprocessable, "Time is in the future",
                $"{field} ({at:O}) is more than {FutureTolerance.TotalMinutes:0} minutes after the register's clock ({now:O}).")
            : null;

    public static Refusal? NotBefore(string field, DateTimeOffset at, string earlierField, DateTimeOffset earlier) =>
        at < earlier
            ? new(RefusalKind.Unprocessable, $"{field} is before {earlierField}",
                $"{field} ({at:O}) cannot be before {earlierField} ({earlier:O}).")
            : null;

    public static Refusal? Open(Episode episode) =>
        episode.Status == EpisodeStatus.Closed
            ? new(RefusalKind.Conflict, "Episode is closed",
                $"Episode {episode.Id} was closed at {episode.ClosedAt:O}; nothing may be appended after closure.")
            : null;

    public static Refusal? Found(Episode episode, string what) =>
        episode.Status != EpisodeStatus.Found
            ? new(RefusalKind.Conflict, "Person not yet found",
                $"{what} only after the person is found; episode {episode.Id} is {episode.Status}.")
            : null;

    /// <summary>A child is anyone under 18 at the time they were last seen.</summary>
    public static bool IsChild(DateOnly dateOfBirth, DateTimeOffset lastSeenAt)
    {
        var seen = DateOnly.FromDateTime(lastSeenAt.UtcDateTime);
        return dateOfBirth.AddYears(18) > seen;
    }

    public static DateTimeOffset? ReturnInterviewDueBy(Episode episode) =>
        episode.IsChild && episode.FoundAt is { } found ? found + ReturnInterviewWindow : null;

    /// <summary>The first refusal among the checks, or the events when all pass.</summary>
    public static Decision FirstRefusalOr(IEnumerable<Refusal?> checks, Func<Decision> accept) =>
        checks.FirstOrDefault(r => r is not null) is { } refusal ? refusal : accept();
}
