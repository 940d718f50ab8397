namespace NationalRegister.Episodes;

/// <summary>Risk grades, lowest to highest (College of Policing APP, 2016-17).</summary>
public enum RiskLevel { VeryLow = 1, Low = 2, Medium = 3, High = 4 }

public static class RiskGrading
{
    public const string AbsentScrapped =
        "The \"absent\" category was scrapped in January 2017 (College of Policing APP): every report is a missing report, " +
        "graded for risk as VeryLow, Low, Medium or High.";

    /// <summary>
    /// Reads a grade as a force sends it. "NoApparentRisk" is the pre-2017 name of the lowest grade and is kept
    /// so old records stay comparable; "absent" must never be accepted as a new category.
    /// </summary>
    public static bool TryParse(string? grade, out RiskLevel level, out string refusal)
    {
        (level, refusal) = Normalise(grade) switch
        {
            "" => (default(RiskLevel), "A risk level is required: VeryLow, Low, Medium or High."),
            "absent" => (default, AbsentScrapped),
            "verylow" or "noapparentrisk" => (RiskLevel.VeryLow, ""),
            "low" => (RiskLevel.Low, ""),
            "medium" => (RiskLevel.Medium, ""),
            "high" => (RiskLevel.High, ""),
            _ => (default, "is not a risk level: use VeryLow, Low, Medium or High."),
        };
        return refusal.Length == 0;
    }

    // "Very low", "very_low", "VERY-LOW" and "VeryLow" are one grade; so are all spellings of "absent".
    private static string Normalise(string? grade) =>
        new string((grade ?? "").Where(char.IsLetter).ToArray()).ToLowerInvariant();
}
