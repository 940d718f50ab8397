namespace NationalRegister.Tests.Api;

/// <summary>
/// What a force's integration team codes against. Every other test reads views as typed records; this one pins the
/// wire form they travel in: names, order, enums by name, instants in ISO 8601 with their offset, nulls written out.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class JsonShapeTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task the_episode_view_keeps_its_json_shape()
    {
        var episode = await Api.ChildFound(Gmp, foundAt: RegisterApi.Now.AddHours(-1));

        var json = (await Api.GetEpisode(Gmp, episode)).Json.AsObject();

        json.Select(p => p.Key).ShouldBe(
        [
            "episodeId", "status", "force", "forceReference", "personId", "isChild", "localAuthority", "localAuthorityName", "riskLevel",
            "riskAssessments", "reportedAt", "lastSeenAt", "foundAt", "outcome", "sightings", "returnInterview", "review", "previousForces",
            "closedAt", "version",
        ]);
        json["status"]!.GetValue<string>().ShouldBe("Found");
        json["outcome"]!.GetValue<string>().ShouldBe("SafeAndWell");
        json["foundAt"]!.GetValue<string>().ShouldBe("2026-11-25T11:00:00+00:00");
        json["riskLevel"].ShouldBeNull();
        (json["localAuthority"]!.GetValue<string>(), json["localAuthorityName"]!.GetValue<string>()).ShouldBe(("E08000003", "Manchester"));
        json.ContainsKey("closedAt").ShouldBeTrue();
        json["returnInterview"]!.AsObject().Select(p => p.Key).ShouldBe(["dueBy", "outcome", "conductedAt"]);
        json["returnInterview"]!["dueBy"]!.GetValue<string>().ShouldBe("2026-11-28T11:00:00+00:00");
        json["review"]!.AsObject().Select(p => p.Key).ShouldBe(["lastReviewedAt", "nextReviewDue"]);
        json["previousForces"]!.AsArray().Count.ShouldBe(0);
        json["version"]!.GetValue<long>().ShouldBe(2);
    }
}
