using System.Net;
using System.Text.Json.Nodes;

namespace NationalRegister.Tests.Api;

/// <summary>
/// The read side fuzzed as the write side is (issue #10): every query parameter of every GET in the OpenAPI document, the
/// ids in their paths, and the headers the register reads, each mutated alone; no answer is a 5xx, and every 4xx is a
/// problem detail, whatever the client said it accepts.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class ReadFuzzTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    /// <summary>Raw, as they would appear in a URL: encoded NUL and controls, bad escapes, invalid UTF-8, extremes of each kind.</summary>
    private static readonly string[] ValueMutations =
    [
        "", "%20", "%00", "a%00b", "%07", "%0D%0A", "%", "%ZZ", "%ED%A0%80", "%C0%AF", "%FF%FE", "%E2%80%AE", "%E2%80%A8", "%EF%BB%BF",
        "0", "-1", "1.5", "1e10", "NaN", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "0x10",
        "2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "26-01-01", "2026-01-01T00:00:00Z", "00000000-0000-0000-0000-000000000000",
        "GMP", "gmp", "E08000003", "Manchester", "High", "Absent", "%27%3B%20drop%20table%20x%3B--", "%3Cscript%3E", "null", "[]", "{}",
        new string('z', 5000), string.Concat(Enumerable.Repeat("%C3%A9", 300)),
    ];

    // A NUL in a path never reaches the register: the server refuses it first.
    private static readonly string[] IdMutations = ["not-a-uuid", "%2500", "00000000-0000-0000-0000-000000000000", new string('f', 2000), "%ED%A0%80"];

    private static readonly (string Name, string Value)[] HeaderMutations =
    [
        ("Accept", "text/csv"), ("Accept", "*/*"), ("Accept", "garbage;;;=="), ("Accept", "text/csv;q=abc"), ("Accept", "application/json, text/csv"),
        ("Accept", ""), ("Accept", new string('a', 5000)), ("X-Correlation-Id", "a\u0001b"), ("X-Correlation-Id", new string('c', 5000)),
        ("X-Correlation-Id", "ünïcödé"), ("X-Justification", "why\u0000 not at all"), ("X-Justification", new string('j', 5000)),
        ("X-Justification", "Case review\u202E CR-2026-19"),
    ];

    [Fact]
    public async Task no_mutation_of_any_query_string_path_id_or_header_is_a_server_error_and_every_refusal_is_a_problem()
    {
        var episode = await Api.ChildFound(Gmp);
        var person = (await Api.Episode(Gmp, episode)).PersonId;
        var doc = (await Api.Get(As.Nobody, "/openapi/v1.json")).Json;
        var answers = new List<(string What, Reply Reply)>();

        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            if (item!["get"] is not { } get) continue;
            var url = path.Replace("{episodeId}", episode.ToString(), StringComparison.Ordinal)
                .Replace("{personId}", person.ToString(), StringComparison.Ordinal);
            var query = (get["parameters"]?.AsArray() ?? []).Where(p => p?["in"]?.GetValue<string>() == "query")
                .Select(p => p!["name"]!.GetValue<string>()).ToList();
            var valid = ValidQuery(path);
            var who = path.Contains("/history", StringComparison.Ordinal) || path.StartsWith("/api/people/{", StringComparison.Ordinal)
                ? As.Auditor : As.Analyst;
            (string, string)[] justified = path.Contains("/history", StringComparison.Ordinal) ? [("X-Justification", "Fuzzing the read side, ref F-1")] : [];

            foreach (var parameter in query)
            foreach (var mutation in ValueMutations)
            {
                var target = $"{url}?{string.Join('&', valid.Where(v => v.Key != parameter).Select(v => $"{v.Key}={v.Value}").Append($"{parameter}={mutation}"))}";
                answers.Add(($"{path} {parameter}={Show(mutation)}", await Api.Get(who, target, justified)));
                answers.Add(($"{path} {parameter}={Show(mutation)} as csv", await Api.Get(who, target, [.. justified, ("Accept", "text/csv")])));
            }

            foreach (var mutation in query.Count > 0 ? new[] { $"{query[0]}=1&{query[0]}=2", "unknown=1", "%00=1", "a[]=1", "&&&", "=" } : ["x=1"])
                answers.Add(($"{path} ?{mutation}", await Api.Get(who, $"{url}?{mutation}", justified)));

            foreach (var header in HeaderMutations)
            {
                (string, string)[] headers = header.Name == "X-Justification" ? [header] : [.. justified, header];
                answers.Add(($"{path} {header.Name}: {Show(header.Value)}", await Api.Get(who, url, headers)));
            }

            if (!path.Contains('{')) continue;
            foreach (var id in IdMutations)
            {
                var mutated = path.Replace("{episodeId}", id, StringComparison.Ordinal).Replace("{personId}", id, StringComparison.Ordinal);
                answers.Add(($"{path} id {Show(id)}", await Api.Get(who, mutated, justified)));
            }
        }

        answers.Count.ShouldBeGreaterThan(1000);
        answers.Where(a => (int)a.Reply.Status >= 500).Select(a => $"{a.What}: {(int)a.Reply.Status}").ShouldBeEmpty();
        answers.Where(a => (int)a.Reply.Status is >= 400 and < 500
                && !a.Reply.Headers.GetValueOrDefault("Content-Type", "").StartsWith("application/problem+json", StringComparison.Ordinal))
            .Select(a => $"{a.What}: {(int)a.Reply.Status} {a.Reply.Headers.GetValueOrDefault("Content-Type")}").ShouldBeEmpty();
        answers.Count(a => (int)a.Reply.Status is >= 400 and < 500).ShouldBeGreaterThan(answers.Count / 2);
        (await Api.Get(As.Nobody, "/health")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Get(As.Analyst, "/api/analytics/summary")).Status.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Parameters that make the view answer at all (a report needs its period), beside the one being mutated.</summary>
    private static Dictionary<string, string> ValidQuery(string path) => path switch
    {
        "/api/reports/annual" => new() { ["from"] = "2026-01-01", ["to"] = "2026-12-31" },
        _ => [],
    };

    private static string Show(string text) => text.Length > 30 ? text[..30] + "…" : text;
}
