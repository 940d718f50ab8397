using NationalRegister.Episodes;

namespace NationalRegister.Tests.Rules;

public sealed class RiskGradingTests
{
    [Theory]
    [InlineData("VeryLow", RiskLevel.VeryLow)]
    [InlineData("very low", RiskLevel.VeryLow)]
    [InlineData("Low", RiskLevel.Low)]
    [InlineData("MEDIUM", RiskLevel.Medium)]
    [InlineData("high", RiskLevel.High)]
    public void the_four_grades_are_read_in_any_spelling(string given, RiskLevel expected) =>
        Grade(given).ShouldBe((expected, ""));

    [Theory]
    [InlineData("NoApparentRisk")]
    [InlineData("no apparent risk")]
    public void no_apparent_risk_is_the_legacy_name_of_very_low(string given) =>
        Grade(given).Level.ShouldBe(RiskLevel.VeryLow);

    [Theory]
    [InlineData("Absent")]
    [InlineData("absent")]
    [InlineData("A-B-S-E-N-T")]
    public void absent_is_not_a_risk_level(string given)
    {
        RiskGrading.TryParse(given, out _, out var refusal).ShouldBeFalse();
        refusal.ShouldBe(RiskGrading.AbsentScrapped);
        refusal.ShouldContain("2017");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Severe")]
    [InlineData("4")]
    public void anything_else_is_refused(string? given) => RiskGrading.TryParse(given, out _, out _).ShouldBeFalse();

    private static (RiskLevel Level, string Refusal) Grade(string given)
    {
        RiskGrading.TryParse(given, out var level, out var refusal).ShouldBeTrue();
        return (level, refusal);
    }
}
