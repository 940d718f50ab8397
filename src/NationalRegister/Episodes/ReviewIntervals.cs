namespace NationalRegister.Episodes;

/// <summary>
/// How long an open case may go between supervisory reviews, by risk level. Each force sets its own (APP leaves it to
/// forces): configuration section "Reviews", a "Default" set and any force's overrides, in hours, e.g.
/// <c>Reviews__GMP__High=4</c>. An ungraded report is due at once for its first grading.
/// </summary>
public sealed class ReviewIntervals
{
    public const string Section = "Reviews";
    public const string Ungraded = nameof(Ungraded);

    /// <summary>Force code (or "Default") to risk level (or "Ungraded") to hours.</summary>
    public Dictionary<string, Dictionary<string, double>> Forces { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public static readonly IReadOnlyDictionary<string, double> Defaults = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        [Ungraded] = 1, [nameof(RiskLevel.High)] = 6, [nameof(RiskLevel.Medium)] = 24, [nameof(RiskLevel.Low)] = 72,
        [nameof(RiskLevel.VeryLow)] = 168,
    };

    public TimeSpan For(string force, RiskLevel? level)
    {
        var key = level?.ToString() ?? Ungraded;
        var hours = Forces.TryGetValue(force, out var own) && own.TryGetValue(key, out var h) ? h
            : Forces.TryGetValue("Default", out var configured) && configured.TryGetValue(key, out var d) ? d
            : Defaults[key];
        return TimeSpan.FromHours(hours);
    }

    /// <summary>The next review falls due from the last review (or the report) by the interval, unless the supervisor set it.</summary>
    public DateTimeOffset NextReviewDue(Episode episode) =>
        episode.NextReviewDue ?? (episode.LastReviewedAt ?? episode.ReportedAt) + For(episode.Force, episode.RiskLevel);
}
