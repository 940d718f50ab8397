namespace NationalRegister.Alerts;

/// <summary>
/// A person crossed a repeat-missing threshold (e.g. 3 episodes in 30 days): in many areas that calls a multi-agency
/// strategy meeting. Recorded as an event on its own stream and published, through the outbox, to whoever subscribes.
/// </summary>
/// <param name="PersonId">The surviving record when the alert was raised; merges later made are followed when listed.</param>
/// <param name="WindowStart">The earliest last-seen time counted; the window ends at <paramref name="WindowEnd"/>.</param>
public sealed record RepeatMissingAlertRaised(
    Guid AlertId, Guid PersonId, int Episodes, int WindowDays, IReadOnlyList<Guid> EpisodeIds, IReadOnlyList<string> Forces,
    IReadOnlyList<string> LocalAuthorities, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset RaisedAt);

/// <summary>The alert as listed, kept from its event by the async daemon.</summary>
public sealed record RepeatMissingAlert
{
    public Guid Id { get; init; }
    public Guid PersonId { get; init; }
    public int Episodes { get; init; }
    public int WindowDays { get; init; }
    public IReadOnlyList<Guid> EpisodeIds { get; init; } = [];
    public IReadOnlyList<string> Forces { get; init; } = [];
    public IReadOnlyList<string> LocalAuthorities { get; init; } = [];
    public DateTimeOffset WindowStart { get; init; }
    public DateTimeOffset WindowEnd { get; init; }
    public DateTimeOffset RaisedAt { get; init; }

    public static RepeatMissingAlert Create(RepeatMissingAlertRaised e) => new()
    {
        Id = e.AlertId, PersonId = e.PersonId, Episodes = e.Episodes, WindowDays = e.WindowDays, EpisodeIds = e.EpisodeIds,
        Forces = e.Forces, LocalAuthorities = e.LocalAuthorities, WindowStart = e.WindowStart, WindowEnd = e.WindowEnd, RaisedAt = e.RaisedAt,
    };
}

/// <summary>
/// Repeat-missing thresholds: no national definition exists, so each deployment sets its own (configuration section
/// "Alerts:RepeatMissing", e.g. <c>Alerts__RepeatMissing__0__Episodes=3</c>, <c>Alerts__RepeatMissing__0__Days=30</c>).
/// </summary>
public sealed class RepeatThresholds
{
    public const string Section = "Alerts:RepeatMissing";

    public sealed record Threshold(int Episodes, int Days);

    /// <summary>Local practice seen in England: 3 in 30 days in some areas, 3 in 90 days in others.</summary>
    public static readonly IReadOnlyList<Threshold> Defaults = [new(3, 30), new(3, 90)];

    public IReadOnlyList<Threshold> Thresholds { get; set; } = Defaults;
}
