namespace NationalRegister.Analytics;

/// <summary>Reporting periods are UK calendar days, inclusive at both ends (e.g. 2025-04-01 to 2026-03-31).</summary>
public static class Period
{
    public static readonly TimeZoneInfo UkTime = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static DateTimeOffset Start(DateOnly day) => day == DateOnly.MinValue ? DateTimeOffset.MinValue.ToUniversalTime() : Midnight(day);

    /// <summary>Midnight after the last day: the end is exclusive.</summary>
    public static DateTimeOffset End(DateOnly day) => day >= DateOnly.MaxValue.AddDays(-1) ? DateTimeOffset.MaxValue.ToUniversalTime() : Midnight(day.AddDays(1));

    public static DateTimeOffset Midnight(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, UkTime.GetUtcOffset(local)).ToUniversalTime();
    }
}
