using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Logs leave the register for collectors that are not cleared for what the register holds: no name, date of birth,
/// reference or free text goes there at any level. And expected outcomes (refusals, replays, lost races) are no errors.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class LoggingTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private static readonly string[] Personal =
    [
        "Zebediah", "Quillfeather", "2011-02-03", "SUBJ-ORCHID", "REF-MARIGOLD", "AQUAMARINE circumstance", "PERIWINKLE rationale",
        "VERMILION disclosure", "CERULEAN summary", "JUSTIFY-SAFFRON", "Tangerine Lane",
    ];

    [Fact]
    public async Task no_personal_data_reaches_the_logs_at_any_level_and_expected_outcomes_are_not_errors()
    {
        Fixture.Logs.Clear();

        var report = Report();
        var reported = await Api.ReportMissing(Gmp, report);
        reported.Status.ShouldBe(HttpStatusCode.Created);
        var episode = reported.EpisodeId;
        (await Api.ReportMissing(Gmp, report)).Status.ShouldBe(HttpStatusCode.Created);                         // replay
        var reused = JsonNode.Parse(JsonSerializer.Serialize(report))!.AsObject();
        reused["circumstances"] = "AQUAMARINE circumstance, told differently";
        (await Api.PostRaw(Gmp, "/api/episodes", reused.ToJsonString())).Status.ShouldBe(HttpStatusCode.Conflict); // messageId reused
        var withNul = JsonNode.Parse(JsonSerializer.Serialize(Report()))!.AsObject();
        withNul["person"]!["givenName"] = "Zebediah\u0000";
        (await Api.PostRaw(Gmp, "/api/episodes", withNul.ToJsonString())).Status.ShouldBe(HttpStatusCode.BadRequest);
        var wrongType = JsonNode.Parse(JsonSerializer.Serialize(Report()))!.AsObject();
        wrongType["person"]!["dateOfBirth"] = "Zebediah Quillfeather";
        (await Api.PostRaw(Gmp, "/api/episodes", wrongType.ToJsonString())).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.ReportMissing(Gmp, Report(lastSeenAt: RegisterApi.Now.AddDays(1)))).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Api.ReportMissing(Met, report)).Status.ShouldBe(HttpStatusCode.Created);                         // another force's messageId

        var assess = new { messageId = RegisterApi.NewId(), level = "High", rationale = "PERIWINKLE rationale", assessedBy = "Sgt 1",
            assessedAt = RegisterApi.Now.AddHours(-1) };
        (await Api.Post(Gmp, $"/api/episodes/{episode}/risk-assessments", assess)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Post(Gmp, $"/api/episodes/{episode}/risk-assessments", assess)).Status.ShouldBe(HttpStatusCode.OK);   // replay
        (await Api.Post(Gmp, $"/api/episodes/{episode}/risk-assessments", new { messageId = RegisterApi.NewId(), expectedVersion = 1,
            level = "Low", rationale = "PERIWINKLE rationale", assessedBy = "Sgt 1", assessedAt = RegisterApi.Now })).Status
            .ShouldBe(HttpStatusCode.Conflict);                                                                          // stale version
        (await Api.AssessRisk(Gmp, episode, "Absent")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.AssessRisk(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        var sightings = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Api.Post(Gmp, $"/api/episodes/{episode}/sightings",
            new { messageId = RegisterApi.NewId(), seenAt = RegisterApi.Now.AddHours(-2), location = "Tangerine Lane", source = "CCTV" })));
        sightings.ShouldAllBe(r => r.Status == HttpStatusCode.OK);                                                      // racing writers
        (await Api.Found(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Found(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Conflict);                                        // already found
        (await Api.Post(As.ChildrensServices("Manchester"), $"/api/episodes/{episode}/return-interviews", new
        {
            messageId = RegisterApi.NewId(), outcome = "Completed", conductedAt = RegisterApi.Now.AddMinutes(-10), conductedBy = "RHI worker",
            disclosures = new[] { "VERMILION disclosure" },
        })).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Post(Gmp, $"/api/episodes/{episode}/closure", new { messageId = RegisterApi.NewId(), closedAt = RegisterApi.Now.AddMinutes(-5),
            closedBy = "Insp 3", summary = "CERULEAN summary" })).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Conflict);                                    // after closure
        (await Api.GetEpisode(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetPerson(Gmp, reported.PersonId)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetHistory(As.Auditor, reported.PersonId, "Case review JUSTIFY-SAFFRON")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetHistory(As.Auditor, reported.PersonId, "JUSTIFY-SAFFRON")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetHistory(As.Analyst, reported.PersonId)).Status.ShouldBe(HttpStatusCode.Forbidden);

        var entries = Fixture.Logs.Entries;
        entries.ShouldNotBeEmpty();
        entries.Where(e => Personal.Any(p => e.Text.Contains(p, StringComparison.OrdinalIgnoreCase)))
            .Select(e => $"{e.Level} {e.Category}: {e.Text}").ShouldBeEmpty();
        entries.Where(e => e.Level is >= LogLevel.Warning and < LogLevel.None).Select(e => $"{e.Level} {e.Category}: {e.Text}").ShouldBeEmpty();
        entries.Where(e => e.Level >= LogLevel.Information && e.Text.Contains("register.mt_", StringComparison.Ordinal))
            .Select(e => $"{e.Category}: {e.Text}").ShouldBeEmpty();
    }

    private static object Report(DateTimeOffset? lastSeenAt = null)
    {
        var lastSeen = lastSeenAt ?? RegisterApi.Now.AddHours(-6);
        return new
        {
            messageId = RegisterApi.NewId(),
            forceReference = $"REF-MARIGOLD-{Guid.NewGuid():N}"[..20],
            person = new
            {
                forceSubjectId = $"SUBJ-ORCHID-{Guid.NewGuid():N}"[..20], givenName = "Zebediah", familyName = "Quillfeather",
                dateOfBirth = "2011-02-03", sex = "Male",
            },
            lastSeenAt = lastSeen,
            lastSeenLocation = "Tangerine Lane",
            circumstances = "AQUAMARINE circumstance",
            reportedAt = lastSeen.AddHours(1),
            reportedBy = "Parent",
            localAuthority = "Manchester",
        };
    }
}
