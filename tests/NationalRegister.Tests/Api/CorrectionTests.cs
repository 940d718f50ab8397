using System.Net;
using NationalRegister.Analytics;
using NationalRegister.Episodes;
using NationalRegister.People.Auditing;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Corrections without rewriting history (issue #11): a force puts right an earlier fact of its episode with a new event;
/// every view, count and report follows the corrected value, and the history keeps both.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class CorrectionTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private Task<Reply> Correct(As who, Guid episode, string corrects, string? value = null, long? retracts = null,
        string reason = "Checked with the reporting officer", long? expectedVersion = null) =>
        Api.Post(who, $"/api/episodes/{episode}/corrections", new { messageId = RegisterApi.NewId(), expectedVersion, corrects, value, retracts, reason });

    private static string At(DateTimeOffset at) => at.ToString("O");

    [Fact]
    public async Task a_corrected_last_seen_time_moves_the_episode_into_the_right_window_and_report()
    {
        var force = AnalyticsScenarios.NewForce();
        var episode = await Api.ChildMissing(force, lastSeenAt: RegisterApi.Now.AddHours(-6));
        await Fixture.CaughtUp();
        (await Api.List<MissingNow>(force, "/api/analytics/long-term-missing")).Items.ShouldBeEmpty();

        // Last seen a year before, not six hours: over 72 hours missing, and in last year's report.
        var lastYear = new DateTimeOffset(2025, 11, 20, 9, 0, 0, TimeSpan.Zero);
        var reply = await Correct(force, episode, "lastSeenAt", At(lastYear), expectedVersion: 1);
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        await Fixture.CaughtUp();

        (await Api.Episode(force, episode)).LastSeenAt.ShouldBe(lastYear);
        (await Api.List<MissingNow>(force, "/api/analytics/long-term-missing")).Items.ShouldHaveSingleItem().EpisodeId.ShouldBe(episode);
        (await Api.View<AnnualReport>(force, "/api/reports/annual?from=2025-04-01&to=2026-03-31")).Incidents.ShouldBe(1);
        (await Api.View<AnnualReport>(force, "/api/reports/annual?from=2026-04-01&to=2027-03-31")).Incidents.ShouldBe(0);
        var history = await Api.History(As.Auditor, (await Api.Episode(force, episode)).PersonId);
        var correction = history.Single(e => e.Type == nameof(LastSeenCorrected));
        (correction.RecordedBy, correction.Agency).ShouldBe(("PC 1234", force.ForceCode));
        correction.Data.ToString()!.ShouldContain("Checked with the reporting officer");
        // The report keeps what was first recorded.
        ((System.Text.Json.JsonElement)history.Single(e => e.Type == nameof(MissingReported)).Data).GetProperty("lastSeenAt").GetDateTimeOffset()
            .ShouldBe(RegisterApi.Now.AddHours(-6));
    }

    [Fact]
    public async Task a_corrected_date_of_birth_makes_a_child_an_adult_in_every_view()
    {
        var force = AnalyticsScenarios.NewForce();
        var episode = await Api.ChildMissing(force);
        var adult = DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-30);

        (await Correct(force, episode, "dateOfBirth", adult.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            .Status.ShouldBe(HttpStatusCode.OK);
        await Fixture.CaughtUp();

        (await Api.Episode(force, episode)).IsChild.ShouldBeFalse();
        var open = (await Api.List<MissingNow>(force, "/api/analytics/open-episodes")).Items.ShouldHaveSingleItem();
        (open.IsChild, open.AgeBand).ShouldBe((false, "25-39"));
        (await Api.Person(force, (await Api.Episode(force, episode)).PersonId)).Records[0].DateOfBirth.ShouldBe(adult);
    }

    [Fact]
    public async Task a_corrected_local_authority_moves_the_episode_to_that_authority()
    {
        var force = AnalyticsScenarios.NewForce();
        var (from, to) = (AnalyticsScenarios.NewLocalAuthority(), AnalyticsScenarios.NewLocalAuthority());
        var episode = (await Api.ReportMissing(force, RegisterApi.Report(localAuthority: from))).EpisodeId;

        (await Correct(force, episode, "localAuthority", to)).Status.ShouldBe(HttpStatusCode.OK);
        await Fixture.CaughtUp();

        (await Api.GetEpisode(As.ChildrensServices(from), episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Episode(As.ChildrensServices(to), episode)).LocalAuthority.ShouldBe(to);
        (await Api.List<MissingNow>(As.ChildrensServices(to), "/api/analytics/open-episodes")).Items.ShouldContain(m => m.EpisodeId == episode);
        (await Correct(force, episode, "localAuthority", "Nowhere Borough")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task an_episode_linked_to_the_wrong_record_is_relinked_and_both_records_follow()
    {
        var wrong = await Api.ChildReportedBy(Gmp, episodes: 2);
        var right = await Api.ChildReportedBy(Gmp);
        var moved = wrong.Episodes[1];

        (await Correct(Gmp, moved, "forceSubjectId", right.Subject)).Status.ShouldBe(HttpStatusCode.OK);

        (await Api.Episode(Gmp, moved)).PersonId.ShouldBe(right.PersonId);
        (await Api.Person(Gmp, wrong.PersonId)).Episodes.ShouldBe(1);
        (await Api.Person(Gmp, right.PersonId)).Episodes.ShouldBe(2);
        var history = await Api.History(As.Auditor, right.PersonId);
        history.Where(e => e.EpisodeId == moved).Select(e => e.Type).ShouldBe([nameof(MissingReported), nameof(EpisodeRelinked)]);
        history.Single(e => e.Type == nameof(EpisodeRelinked)).Record.ShouldBe(right.PersonId);
    }

    [Fact]
    public async Task a_sighting_of_someone_else_is_retracted_and_a_retracted_grade_gives_back_the_one_before()
    {
        var episode = await Api.ChildMissing(Gmp);
        await Api.AssessRisk(Gmp, episode, "Low");                     // version 2
        await Api.Sighting(Gmp, episode);                              // version 3
        await Api.AssessRisk(Gmp, episode, "High");                    // version 4

        (await Correct(Gmp, episode, "retraction", retracts: 3, reason: "CCTV showed another child")).Status.ShouldBe(HttpStatusCode.OK);
        (await Correct(Gmp, episode, "retraction", retracts: 4, reason: "Graded on the wrong case")).Status.ShouldBe(HttpStatusCode.OK);

        var view = await Api.Episode(Gmp, episode);
        (view.Sightings, view.RiskLevel, view.RiskAssessments).ShouldBe((0, RiskLevel.Low, 1));
        var history = await Api.History(As.Auditor, view.PersonId);
        history.Where(e => e.Retracted).Select(e => e.Version).ShouldBe([3L, 4L]);
        (await Correct(Gmp, episode, "retraction", retracts: 3)).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Correct(Gmp, episode, "retraction", retracts: 1)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Correct(Gmp, episode, "retraction", retracts: 99)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [InlineData("lastSeenAt", "yesterday", "value")]
    [InlineData("eyeColour", "blue", "corrects")]
    [InlineData("givenName", null, "value")]
    [InlineData("retraction", null, "retracts")]
    [InlineData("dateOfBirth", "12/01/2011", "value")]
    public async Task a_correction_that_says_nothing_valid_is_a_400_and_changes_nothing(string corrects, string? value, string field)
    {
        var episode = await Api.ChildMissing(Gmp);

        var reply = await Correct(Gmp, episode, corrects, value);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]![field].ShouldNotBeNull(reply.Text);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(1);
    }

    [Fact]
    public async Task only_the_owning_force_corrects_and_a_correction_is_idempotent_and_versioned()
    {
        var episode = await Api.ChildMissing(Gmp);
        var body = new { messageId = RegisterApi.NewId(), expectedVersion = 1, corrects = "givenName", value = "Samuel", reason = "Mistyped at the desk" };

        (await Api.Post(Met, $"/api/episodes/{episode}/corrections", body)).Status.ShouldBe(HttpStatusCode.Forbidden);
        var first = await Api.Post(Gmp, $"/api/episodes/{episode}/corrections", body);
        var replay = await Api.Post(Gmp, $"/api/episodes/{episode}/corrections", body);
        var stale = await Correct(Gmp, episode, "familyName", "Syntheticson", expectedVersion: 1);

        first.Status.ShouldBe(HttpStatusCode.OK);
        replay.Text.ShouldBe(first.Text);
        stale.Status.ShouldBe(HttpStatusCode.Conflict);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(2);
        (await Correct(Gmp, episode, "givenName", "Samuel")).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);    // nothing to correct
    }
}
