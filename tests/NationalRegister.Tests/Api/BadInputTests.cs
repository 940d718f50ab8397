using NationalRegister.Episodes;
using System.Net;

namespace NationalRegister.Tests.Api;

[Collection(RegisterCollection.Name)]
public sealed class BadInputTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("{\"messageId\": 42}")]
    [InlineData("{\"messageId\": \"not-a-uuid\"}")]
    [InlineData("{\"lastSeenAt\": \"yesterday\"}")]
    public async Task malformed_json_is_a_400_problem_never_a_500(string json)
    {
        var reply = await Api.PostRaw(Gmp, "/api/episodes", json);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
    }

    [Fact]
    public async Task missing_fields_are_listed_one_by_one()
    {
        var reply = await Api.PostRaw(Gmp, "/api/episodes", "{\"person\": {}}");

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        var errors = reply.Json["errors"]!.AsObject();
        errors.Select(e => e.Key).ShouldBe(
            ["messageId", "forceReference", "lastSeenAt", "lastSeenLocation", "circumstances", "reportedAt", "reportedBy",
             "person.forceSubjectId", "person.givenName", "person.familyName", "person.dateOfBirth", "person.sex"],
            ignoreOrder: true);
    }

    [Fact]
    public async Task an_unknown_outcome_is_a_field_error()
    {
        var episode = await Api.ChildMissing(Gmp);

        var reply = await Api.Found(Gmp, episode, outcome: "Lost");

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]!["outcome"]![0]!.GetValue<string>().ShouldContain("SafeAndWell");
        (await Api.Episode(Gmp, episode)).Status.ShouldBe(EpisodeStatus.Missing);
    }

    [Fact]
    public async Task an_unknown_risk_level_is_a_field_error()
    {
        var episode = await Api.ChildMissing(Gmp);
        var reply = await Api.AssessRisk(Gmp, episode, "Severe");
        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]!["level"]![0]!.GetValue<string>().ShouldContain("VeryLow, Low, Medium or High");
    }

    [Fact]
    public async Task an_unknown_episode_is_404()
    {
        var reply = await Api.AssessRisk(Gmp, Guid.NewGuid());
        reply.Status.ShouldBe(HttpStatusCode.NotFound);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        (await Api.GetEpisode(Gmp, Guid.NewGuid())).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Api.GetPerson(As.Auditor, Guid.NewGuid())).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_route_id_that_is_not_a_uuid_is_not_a_500()
    {
        var reply = await Api.Get(Gmp, "/api/episodes/not-a-uuid");
        ((int)reply.Status).ShouldBeLessThan(500);
    }
}
