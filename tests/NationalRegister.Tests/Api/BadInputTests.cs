using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NationalRegister.Episodes;

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

    [Theory]
    [InlineData("person", "givenName", "Sam\u0000")]
    [InlineData("", "circumstances", "Left home\u0000")]
    [InlineData("", "forceReference", "REF\u0007-1")]
    [InlineData("person", "familyName", "Syn\nthetic")]
    [InlineData("", "reportedBy", "Parent\tand carer")]
    [InlineData("person", "givenName", "Sam\u2028Admin")]            // line separator
    [InlineData("person", "familyName", "Synthetic\u2029")]          // paragraph separator
    [InlineData("person", "familyName", "\u202Ecitehtnys")]          // right-to-left override: reads other than it is stored
    [InlineData("", "forceReference", "REF-\u2066-1\u2069")]         // bidirectional isolate
    [InlineData("person", "forceSubjectId", "\uFEFFSUBJ-1")]         // byte-order mark
    public async Task control_characters_are_refused_naming_the_field(string parent, string field, string value)
    {
        var body = JsonNode.Parse(JsonSerializer.Serialize(RegisterApi.Report()))!.AsObject();
        (parent.Length > 0 ? body[parent]!.AsObject() : body)[field] = value;

        var reply = await Api.PostRaw(Gmp, "/api/episodes", body.ToJsonString());

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        var key = parent.Length > 0 ? $"{parent}.{field}" : field;
        reply.Json["errors"]![key].ShouldNotBeNull(reply.Json.ToJsonString());
        NoDotNetIn(reply);
    }

    [Fact]
    public async Task free_text_keeps_its_tabs_and_line_breaks()
    {
        var body = JsonNode.Parse(JsonSerializer.Serialize(RegisterApi.Report()))!.AsObject();
        body["circumstances"] = "Left after an argument.\n\tSeen later at the bus station.\u2028Found a note.";

        (await Api.PostRaw(Gmp, "/api/episodes", body.ToJsonString())).Status.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task a_nul_in_an_append_changes_nothing()
    {
        var episode = await Api.ChildMissing(Gmp);

        var level = await Api.AssessRisk(Gmp, episode, "High\u0000");
        var disclosure = await Api.Post(Gmp, $"/api/episodes/{episode}/sightings", new
        {
            messageId = RegisterApi.NewId(), seenAt = RegisterApi.Now.AddHours(-2), location = "Bus\u0000 station", source = "CCTV",
        });

        level.Status.ShouldBe(HttpStatusCode.BadRequest);
        level.Json["errors"]!["level"].ShouldNotBeNull();
        disclosure.Status.ShouldBe(HttpStatusCode.BadRequest);
        disclosure.Json["errors"]!["location"].ShouldNotBeNull();
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(1);
    }

    [Fact]
    public async Task a_body_over_256_kb_is_413()
    {
        var body = JsonNode.Parse(JsonSerializer.Serialize(RegisterApi.Report()))!.AsObject();
        body["circumstances"] = new string('x', 300 * 1024);

        var reply = await Api.PostRaw(Gmp, "/api/episodes", body.ToJsonString());

        reply.Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
    }

    [Theory]
    [InlineData(51, 10)]
    [InlineData(100, 2000)]
    public async Task a_return_interview_holds_a_bounded_list_of_disclosures(int count, int length)
    {
        var episode = await Api.ChildFound(Gmp);

        var reply = await Api.Post(As.ChildrensServices("Manchester"), $"/api/episodes/{episode}/return-interviews", new
        {
            messageId = RegisterApi.NewId(), outcome = "Completed", conductedAt = RegisterApi.Now.AddMinutes(-10), conductedBy = "RHI worker",
            disclosures = Enumerable.Repeat(new string('d', length), count),
        });

        ((int)reply.Status).ShouldBeOneOf(400, 413);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(2);
    }

    [Theory]
    [InlineData("person", "dateOfBirth", "0001-01-01")]
    [InlineData("", "lastSeenAt", "0001-01-01T00:00:00Z")]
    public async Task dates_before_1900_are_refused(string parent, string field, string value)
    {
        var body = JsonNode.Parse(JsonSerializer.Serialize(RegisterApi.Report()))!.AsObject();
        (parent.Length > 0 ? body[parent]!.AsObject() : body)[field] = value;

        var reply = await Api.PostRaw(Gmp, "/api/episodes", body.ToJsonString());

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]![parent.Length > 0 ? $"{parent}.{field}" : field]![0]!.GetValue<string>().ShouldContain("1900");
    }

    [Theory]
    [InlineData("{\"messageId\": 42}", "messageId", "a uuid")]
    [InlineData("{\"lastSeenAt\": \"yesterday\"}", "lastSeenAt", "ISO 8601")]
    [InlineData("{\"person\": {\"dateOfBirth\": \"soon\"}}", "person.dateOfBirth", "yyyy-mm-dd")]
    [InlineData("{\"person\": \"Sam\"}", "person", "object")]
    [InlineData("{\"messageId\": \"7a1e0c3e-0000-4000-8000-000000000001\", \"colour\": \"red\"}", "colour", "not a field")]
    public async Task a_wrong_field_is_named_in_json_words_never_dotnet_ones(string json, string field, string expected)
    {
        var reply = await Api.PostRaw(Gmp, "/api/episodes", json);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Detail.ShouldStartWith(field);
        reply.Detail.ShouldContain(expected);
        NoDotNetIn(reply);
    }

    [Fact]
    public async Task deep_nesting_is_a_400()
    {
        var json = "{\"person\":" + string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)) + "}";

        var reply = await Api.PostRaw(Gmp, "/api/episodes", json);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        NoDotNetIn(reply);
    }

    private static void NoDotNetIn(Reply reply)
    {
        var text = reply.Json.ToJsonString();
        foreach (var word in new[] { "System.", "NationalRegister.", "Nullable", "Int64", "DateTimeOffset", "Guid", "DateOnly", "String" })
            text.ShouldNotContain(word, Case.Sensitive);
    }
}
