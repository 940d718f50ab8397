using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Every command body the OpenAPI document describes, mutated field by field (wrong types, nulls, huge and control-laden
/// strings, deep nesting, unknown fields) and as a whole: the register answers each with a 4xx (or accepts it, where
/// the mutation happens to be valid), never a 5xx, and still serves afterwards.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class FuzzTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private static readonly JsonNode?[] FieldMutations =
    [
        null, 0, -1, long.MaxValue, 1.5, true, "", " ", "x", "\u0000", "a\u0007b", "\ud800", "2026-13-45", "0001-01-01",
        "9999-12-31T23:59:59Z", "00000000-0000-0000-0000-000000000000", new string('z', 5000), new JsonArray(), new JsonArray("a", 1, null),
        new JsonObject(), new JsonObject { ["nested"] = new JsonObject { ["deeper"] = "value" } }, Deep(40),
    ];

    private static readonly string[] BodyMutations =
    [
        "", "null", "[]", "{}", "\"text\"", "42", "{", "{\"messageId\":", "{\"messageId\":\"7a1e0c3e-0000-4000-8000-000000000001\"}}",
        "{\"a\":1,\"a\":2}", new string('[', 5000), "{\"messageId\":\"\\u0000\"}", "\u00ff\u00fe", "{\"unknown\":[{\"x\":1}]}",
    ];

    [Fact]
    public async Task no_mutation_of_any_command_body_is_a_server_error()
    {
        var episode = await Api.ChildFound(Gmp);
        var doc = (await Api.Get(As.Nobody, "/openapi/v1.json")).Json;
        var schemas = doc["components"]!["schemas"]!.AsObject();
        var statuses = new List<(string What, HttpStatusCode Status)>();

        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            if (item!["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() is not { } schemaRef) continue;
            var url = path.Replace("{episodeId}", episode.ToString(), StringComparison.Ordinal);
            var who = path.EndsWith("return-interviews", StringComparison.Ordinal) ? As.ChildrensServices("Manchester") : Gmp;
            var schema = schemas[schemaRef.Split('/')[^1]]!;
            var valid = ValidBodyFor(path);

            foreach (var body in BodyMutations)
                statuses.Add(($"{path} body {Show(body)}", (await Api.PostRaw(who, url, body)).Status));

            foreach (var field in FieldsOf(schema, schemas))
            foreach (var mutation in FieldMutations.Append("extra"))
            {
                var body = JsonNode.Parse(valid.ToJsonString())!.AsObject();
                if (mutation is JsonValue v && v.TryGetValue<string>(out var s) && s == "extra") body["unexpected" + field.Replace(".", "_", StringComparison.Ordinal)] = 1;
                else Set(body, field, mutation?.DeepClone());
                body["messageId"] = field == "messageId" ? body["messageId"]?.DeepClone() : RegisterApi.NewId();
                statuses.Add(($"{path} {field}={Show(mutation?.ToJsonString() ?? "null")}", (await Api.PostRaw(who, url, body.ToJsonString())).Status));
            }
        }

        statuses.Count.ShouldBeGreaterThan(500);
        statuses.Where(s => (int)s.Status >= 500).Select(s => $"{s.What}: {(int)s.Status}").ShouldBeEmpty();
        statuses.Count(s => (int)s.Status is >= 400 and < 500).ShouldBeGreaterThan(statuses.Count * 3 / 4);
        (await Api.Get(As.Nobody, "/health")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.ReportMissing(Gmp)).Status.ShouldBe(HttpStatusCode.Created);
    }

    private static JsonObject ValidBodyFor(string path) => (JsonNode.Parse(JsonSerializer.Serialize<object>(path switch
    {
        "/api/episodes" => RegisterApi.Report(),
        _ when path.EndsWith("risk-assessments", StringComparison.Ordinal) => new
        {
            messageId = RegisterApi.NewId(), level = "High", rationale = "r", assessedBy = "Sgt", assessedAt = RegisterApi.Now.AddMinutes(-1),
        },
        _ when path.EndsWith("sightings", StringComparison.Ordinal) => new
        {
            messageId = RegisterApi.NewId(), seenAt = RegisterApi.Now.AddMinutes(-1), location = "l", source = "s",
        },
        _ when path.EndsWith("found", StringComparison.Ordinal) => new
        {
            messageId = RegisterApi.NewId(), foundAt = RegisterApi.Now.AddMinutes(-1), location = "l", foundBy = "f", outcome = "SafeAndWell",
        },
        _ when path.EndsWith("return-interviews", StringComparison.Ordinal) => new
        {
            messageId = RegisterApi.NewId(), outcome = "Completed", conductedAt = RegisterApi.Now.AddMinutes(-1), conductedBy = "c", disclosures = new[] { "d" },
        },
        _ => new { messageId = RegisterApi.NewId(), closedAt = RegisterApi.Now.AddMinutes(-1), closedBy = "c", summary = "s" },
    }, Reply.JsonOptions)) as JsonObject)!;

    /// <summary>Every property the schema names, nested objects as "parent.child".</summary>
    private static IEnumerable<string> FieldsOf(JsonNode schema, JsonObject schemas, string prefix = "")
    {
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            yield return prefix + name;
            var nested = property?["$ref"] ?? property?["oneOf"]?.AsArray().Select(o => o?["$ref"]).FirstOrDefault(r => r is not null);
            if (nested is not null && schemas[nested.GetValue<string>().Split('/')[^1]] is { } child && prefix.Length == 0)
                foreach (var field in FieldsOf(child, schemas, name + ".")) yield return field;
        }
    }

    private static void Set(JsonObject body, string field, JsonNode? value)
    {
        var parts = field.Split('.');
        var target = parts.Length == 2 ? body[parts[0]] as JsonObject ?? (JsonObject)(body[parts[0]] = new JsonObject()) : body;
        target[parts[^1]] = value;
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = "bottom";
        for (var i = 0; i < depth; i++) node = new JsonObject { ["level"] = node };
        return node;
    }

    private static string Show(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
