using NationalRegister.Episodes;
using NationalRegister.Episodes.Closing;
using NationalRegister.Episodes.Finding;
using NationalRegister.Episodes.GradingRisk;
using NationalRegister.Episodes.InterviewingOnReturn;
using NationalRegister.Episodes.Reporting;
using NationalRegister.Episodes.Sighting;
using NationalRegister.Infrastructure.Commands;

namespace NationalRegister.Tests.Rules;

/// <summary>The deciders, with no database: given the episode so far and a command, which events (or which refusal)?</summary>
public sealed class EpisodeDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastSeen = Now.AddHours(-10);

    private static Episode Missing(DateOnly? dateOfBirth = null)
    {
        var reported = ReportMissingEndpoint.Decide(Guid.NewGuid(), Guid.NewGuid(), "GMP", Report(dateOfBirth), Now);
        return Episode.Create(reported.Events.OfType<MissingReported>().Single());
    }

    private static Episode FoundAt(DateTimeOffset at, DateOnly? dateOfBirth = null) =>
        Missing(dateOfBirth).Apply(new PersonFound(at, "Home", "PC 1", FoundOutcome.SafeAndWell));

    private static MissingReport Report(DateOnly? dateOfBirth = null, DateTimeOffset? lastSeen = null) => new(
        null, "REF-1", new PersonDetails("S-1", "Sam", "Synthetic", dateOfBirth ?? new DateOnly(2012, 5, 1), "Male"),
        lastSeen ?? LastSeen, "Park", "Left after an argument", (lastSeen ?? LastSeen).AddHours(1), "Parent", "Manchester");

    private static Refusal ShouldRefuse(Decision decision, RefusalKind kind)
    {
        decision.Events.ShouldBeEmpty();
        decision.Refusal.ShouldNotBeNull().Kind.ShouldBe(kind);
        return decision.Refusal!;
    }

    [Fact]
    public void a_report_opens_a_missing_episode_of_a_child()
    {
        var episode = Missing();
        episode.Status.ShouldBe(EpisodeStatus.Missing);
        episode.IsChild.ShouldBeTrue();
        episode.LocalAuthority.ShouldBe("Manchester");
    }

    [Fact]
    public void under_18_is_judged_at_the_time_last_seen()
    {
        var lastSeen = new DateTimeOffset(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);
        EpisodeRules.IsChild(new DateOnly(2008, 3, 15), lastSeen).ShouldBeTrue();   // 18 tomorrow
        EpisodeRules.IsChild(new DateOnly(2008, 3, 14), lastSeen).ShouldBeFalse();  // 18 today
    }

    [Fact]
    public void a_report_more_than_five_minutes_ahead_of_the_clock_is_refused()
    {
        ShouldRefuse(ReportMissingEndpoint.Decide(Guid.NewGuid(), Guid.NewGuid(), "GMP", Report(lastSeen: Now.AddMinutes(-30)), Now),
            RefusalKind.Unprocessable).Title.ShouldContain("future");   // reported 30 minutes ahead
        ReportMissingEndpoint.Decide(Guid.NewGuid(), Guid.NewGuid(), "GMP", Report(lastSeen: Now.AddMinutes(-56)), Now)
            .Refusal.ShouldBeNull();                                     // reported 4 minutes ahead: clock drift
    }

    [Fact]
    public void assessments_keep_the_latest_grade_and_the_highest_ever()
    {
        var episode = Missing();
        foreach (var level in new[] { RiskLevel.High, RiskLevel.Low })
        {
            var decision = AssessRiskEndpoint.Decide(episode,
                new RiskAssessed(level, level.ToString(), "r", "Sgt", Now.AddHours(-1)), Now);
            episode = episode.Apply(decision.Events.OfType<RiskAssessed>().Single());
        }

        episode.RiskLevel.ShouldBe(RiskLevel.Low);
        episode.HighestRisk.ShouldBe(RiskLevel.High);
        episode.RiskAssessments.ShouldBe(2);
    }

    [Fact]
    public void found_not_before_last_seen()
    {
        var command = new PersonFound(LastSeen.AddMinutes(-1), "Home", "PC 1", FoundOutcome.SafeAndWell);
        ShouldRefuse(RecordFoundEndpoint.Decide(Missing(), command, Now), RefusalKind.Unprocessable)
            .Detail.ShouldContain("cannot be before lastSeenAt");
    }

    [Fact]
    public void found_twice_is_refused()
    {
        var command = new PersonFound(Now.AddHours(-1), "Home", "PC 1", FoundOutcome.Harmed);
        ShouldRefuse(RecordFoundEndpoint.Decide(FoundAt(Now.AddHours(-2)), command, Now), RefusalKind.Conflict);
    }

    [Fact]
    public void closure_only_after_found()
    {
        var command = new EpisodeClosed(Now.AddMinutes(-1), "Insp", "Done");
        ShouldRefuse(CloseEpisodeEndpoint.Decide(Missing(), command, Now), RefusalKind.Conflict);
        CloseEpisodeEndpoint.Decide(FoundAt(Now.AddHours(-1)), command, Now).Events.Single().ShouldBeOfType<EpisodeClosed>();
    }

    [Fact]
    public void nothing_is_appended_after_closure()
    {
        var closed = FoundAt(Now.AddHours(-2)).Apply(new EpisodeClosed(Now.AddHours(-1), "Insp", "Done"));
        var sighting = new SightingRecorded(Now.AddHours(-3), "Park", "Public");
        ShouldRefuse(RecordSightingEndpoint.Decide(closed, sighting, Now), RefusalKind.Conflict).Detail.ShouldContain("closure");
    }

    [Fact]
    public void a_return_interview_only_after_found_and_only_for_a_child()
    {
        var interview = new ReturnInterviewRecorded(ReturnInterviewOutcome.Completed, Now.AddMinutes(-5), "RHI", ["CSE"]);

        ShouldRefuse(RecordReturnInterviewEndpoint.Decide(Missing(), interview, Now), RefusalKind.Conflict);
        ShouldRefuse(RecordReturnInterviewEndpoint.Decide(FoundAt(Now.AddHours(-1), new DateOnly(1990, 1, 1)), interview, Now),
            RefusalKind.Unprocessable).Title.ShouldContain("children");
        RecordReturnInterviewEndpoint.Decide(FoundAt(Now.AddHours(-1)), interview, Now).Events.Single()
            .ShouldBeOfType<ReturnInterviewRecorded>().Disclosures.ShouldBe(["CSE"]);
    }

    [Fact]
    public void the_return_interview_is_due_72_hours_after_a_child_is_found()
    {
        var found = Now.AddHours(-1);
        EpisodeRules.ReturnInterviewDueBy(FoundAt(found)).ShouldBe(found.AddHours(72));
        EpisodeRules.ReturnInterviewDueBy(Missing()).ShouldBeNull();
        EpisodeRules.ReturnInterviewDueBy(FoundAt(found, new DateOnly(1990, 1, 1))).ShouldBeNull();
    }

    [Fact]
    public void the_same_force_and_subject_always_give_the_same_person()
    {
        PersonIdentity.Of("GMP", "S-1").ShouldBe(PersonIdentity.Of(" gmp ", "s-1"));
        PersonIdentity.Of("GMP", "S-1").ShouldNotBe(PersonIdentity.Of("MET", "S-1"));
        PersonIdentity.Of("GMP", "S-1").ShouldNotBe(PersonIdentity.Of("GMP", "S-2"));
    }
}
