using System.Net;
using System.Text.Json;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

[Collection(RegisterCollection.Name)]
public sealed class RecordingAnEpisodeTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_whole_episode_is_recorded_and_the_view_follows_it()
    {
        var reported = await Api.ReportMissing(Gmp);
        reported.Status.ShouldBe(HttpStatusCode.Created);
        reported.Version.ShouldBe(1);
        reported.Headers["Location"].ShouldBe($"/api/episodes/{reported.EpisodeId}");
        var episode = reported.EpisodeId;

        (await Api.AssessRisk(Gmp, episode, "High")).Version.ShouldBe(2);
        (await Api.AssessRisk(Gmp, episode, "Medium")).Version.ShouldBe(3);
        (await Api.Sighting(Gmp, episode)).Version.ShouldBe(4);
        var foundAt = RegisterApi.Now.AddHours(-1);
        (await Api.Found(Gmp, episode, foundAt)).Version.ShouldBe(5);
        (await Api.ReturnInterview(As.ChildrensServices("Manchester"), episode)).Version.ShouldBe(6);
        (await Api.Close(Gmp, episode)).Version.ShouldBe(7);

        var view = await Api.Episode(Gmp, episode);
        view.Status.ShouldBe(EpisodeStatus.Closed);
        view.Force.ShouldBe("GMP");
        view.IsChild.ShouldBeTrue();
        view.RiskLevel.ShouldBe(RiskLevel.Medium);
        view.RiskAssessments.ShouldBe(2);
        view.Sightings.ShouldBe(1);
        view.Outcome.ShouldBe(FoundOutcome.SafeAndWell);
        view.Version.ShouldBe(7);
        view.ReturnInterview.ShouldNotBeNull().Outcome.ShouldBe(ReturnInterviewOutcome.Completed);
        // 72 hours: DfE statutory guidance on return home interviews.
        view.ReturnInterview.DueBy.ShouldBe(foundAt.AddHours(72));
    }

    [Fact]
    public async Task the_same_force_subject_is_always_the_same_person()
    {
        var subject = RegisterApi.NewSubject();
        var first = await Api.ReportMissing(Gmp, RegisterApi.Report(subject));
        var second = await Api.ReportMissing(Gmp, RegisterApi.Report(subject));
        var elsewhere = await Api.ReportMissing(Met, RegisterApi.Report(subject));

        second.PersonId.ShouldBe(first.PersonId);
        second.EpisodeId.ShouldNotBe(first.EpisodeId);
        // Another force's subject ids are its own; linking people across forces is a separate decision.
        elsewhere.PersonId.ShouldNotBe(first.PersonId);
    }

    [Fact]
    public async Task a_client_chosen_episode_id_is_kept_and_cannot_be_taken_twice()
    {
        var id = RegisterApi.NewId();
        var first = await Api.ReportMissing(Gmp, RegisterApi.Report(episodeId: id));
        first.EpisodeId.ShouldBe(id);

        var again = await Api.ReportMissing(Gmp, RegisterApi.Report(episodeId: id));
        again.Status.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task no_apparent_risk_is_recorded_as_given_and_graded_very_low()
    {
        var episode = await Api.ChildMissing(Gmp);
        (await Api.AssessRisk(Gmp, episode, "NoApparentRisk")).Status.ShouldBe(HttpStatusCode.OK);

        (await Api.Episode(Gmp, episode)).RiskLevel.ShouldBe(RiskLevel.VeryLow);
        var person = (await Api.Episode(Gmp, episode)).PersonId;
        var assessed = (await Api.History(As.Auditor, person)).Single(e => e.Type == nameof(RiskAssessed));
        var data = (JsonElement)assessed.Data;
        data.GetProperty("gradeAsGiven").GetString().ShouldBe("NoApparentRisk");
        data.GetProperty("level").GetString().ShouldBe("VeryLow");
    }

    [Theory]
    [InlineData("Absent")]
    [InlineData("absent")]
    [InlineData("ABSENT")]
    [InlineData(" Absent ")]
    public async Task absent_is_not_a_risk_level(string level)
    {
        var episode = await Api.ChildMissing(Gmp);

        var refused = await Api.AssessRisk(Gmp, episode, level);

        refused.Status.ShouldBe(HttpStatusCode.BadRequest);
        refused.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        refused.Detail.ShouldContain("scrapped in January 2017");
        refused.Detail.ShouldContain("every report is a missing report");
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(1);
    }

    [Fact]
    public async Task an_adult_episode_has_no_return_interview_due()
    {
        var adult = RegisterApi.Report(dateOfBirth: DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-30));
        var episode = (await Api.ReportMissing(Gmp, adult)).EpisodeId;
        await Api.Found(Gmp, episode);

        var view = await Api.Episode(Gmp, episode);
        view.IsChild.ShouldBeFalse();
        view.ReturnInterview.ShouldBeNull();
        (await Api.ReturnInterview(Gmp, episode)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task the_rules_refuse_appends_out_of_order()
    {
        var episode = await Api.ChildMissing(Gmp);

        (await Api.Close(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Conflict);                 // closure only after found
        (await Api.ReturnInterview(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Conflict);       // interview only after found
        (await Api.Found(Gmp, episode, foundAt: RegisterApi.Now.AddDays(-2))).Status
            .ShouldBe(HttpStatusCode.UnprocessableEntity);                                        // found before last seen
        (await Api.Sighting(Gmp, episode, seenAt: RegisterApi.Now.AddMinutes(30))).Status
            .ShouldBe(HttpStatusCode.UnprocessableEntity);                                        // more than 5 minutes ahead

        (await Api.Episode(Gmp, episode)).Version.ShouldBe(1);
    }

    [Fact]
    public async Task nothing_is_appended_after_closure()
    {
        var episode = await Api.ChildFound(Gmp);
        (await Api.Close(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);

        var refused = await Api.AssessRisk(Gmp, episode, "High");

        refused.Status.ShouldBe(HttpStatusCode.Conflict);
        refused.Detail.ShouldContain("nothing may be appended after closure");
        (await Api.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(3);
    }

    [Fact]
    public async Task a_report_from_the_future_is_refused()
    {
        var refused = await Api.ReportMissing(Gmp, RegisterApi.Report(lastSeenAt: RegisterApi.Now.AddHours(2)));
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Detail.ShouldContain("more than 5 minutes");
    }

    [Fact]
    public async Task every_event_records_who_for_which_force_and_under_which_correlation_id()
    {
        var messageId = RegisterApi.NewId();
        var reported = await Api.Post(Gmp, "/api/episodes", RegisterApi.Report(messageId: messageId), ("X-Correlation-Id", "corr-123"));
        reported.Headers["X-Correlation-Id"].ShouldBe("corr-123");
        var person = reported.PersonId;
        await Api.AssessRisk(Gmp, reported.EpisodeId, "Low");

        var history = await Api.History(As.Auditor, person);

        history.Count.ShouldBe(2);
        var first = history[0];
        first.Type.ShouldBe(nameof(MissingReported));
        first.RecordedBy.ShouldBe("PC 1234");
        first.Force.ShouldBe("GMP");
        first.CorrelationId.ShouldBe("corr-123");
        first.MessageId.ShouldBe(messageId.ToString());
        first.OccurredAt.ShouldBe(RegisterApi.Now.AddHours(-5));
        history[1].CorrelationId.ShouldNotBe("corr-123"); // generated when absent
        history[1].Version.ShouldBe(2);
    }
}
