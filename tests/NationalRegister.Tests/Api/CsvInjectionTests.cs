using System.Globalization;
using System.Text.Json.Nodes;
using CsvHelper;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Analysts open the register's CSV in a spreadsheet, where a cell beginning =, +, -, @, tab or CR is a formula (OWASP, CSV
/// injection). Reference data keeps such text out of new records, but episodes recorded before it named forces and
/// authorities in free text: every CSV endpoint escapes them (issue #10).
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class CsvInjectionTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private const string LegacyForce = "=1+1";
    private static readonly string[] LegacyAuthorities = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-1+1", "@SUM(A1)", "\tcmd"];
    private static readonly char[] Formula = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>A child reported forty times in a month by a "force" and in "authorities" of free text, as before reference data.</summary>
    private async Task<(Guid Person, IReadOnlyList<Guid> Episodes)> RecordedBeforeReferenceData()
    {
        var subject = RegisterApi.NewSubject();
        var dateOfBirth = DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-14);
        List<Guid> episodes = [];
        for (var i = 0; i < 40; i++)
        {
            var lastSeen = RegisterApi.Now.AddHours(-20 - 16 * i);
            episodes.Add(await Fixture.RecordedBeforeReferenceData(LegacyForce, subject, LegacyAuthorities[i % LegacyAuthorities.Length], lastSeen,
                foundAt: i == 10 ? lastSeen.AddHours(5) : null, dateOfBirth: dateOfBirth));
        }

        await Fixture.CaughtUp();
        return (PersonIdentity.Of(LegacyForce, subject), episodes);
    }

    [Fact]
    public async Task no_csv_endpoint_gives_a_spreadsheet_a_formula_from_text_recorded_before_reference_data()
    {
        var (person, episodes) = await RecordedBeforeReferenceData();
        await Api.ReportMissing(Gmp, RegisterApi.Report(dateOfBirth: DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-14)));
        await Fixture.CaughtUp();
        await AnalyticsScenarios.Eventually(async () =>
            (await Api.Get(As.Analyst, "/api/alerts?pageSize=500")).Json["items"]!.AsArray().Any(a => Is(a, "personId", person)) ? "raised" : null);

        bool OurEpisode(JsonNode? row) => episodes.Any(e => Is(row, "episodeId", e));
        var csvs = new Dictionary<string, string>
        {
            ["open"] = await PageHolding("/api/analytics/open-episodes", OurEpisode),
            ["long-term"] = await PageHolding("/api/analytics/long-term-missing", OurEpisode),
            ["reviews"] = await PageHolding("/api/analytics/reviews/overdue", OurEpisode),
            ["interviews"] = await PageHolding("/api/analytics/return-interviews/overdue", OurEpisode),
            ["timeliness"] = await PageHolding("/api/analytics/return-interviews/timeliness", row =>
                row?["localAuthority"]?.GetValue<string>() == LegacyAuthorities[0]),
            ["repeat"] = await PageHolding("/api/analytics/repeat-missing?windowDays=30&minEpisodes=40", row => Is(row, "personId", person)),
            ["matches"] = await PageHolding("/api/people/possible-matches",
                row => row?["records"]?.AsArray().Any(r => Is(r, "personId", person)) == true),
            ["alerts"] = await PageHolding("/api/alerts", row => Is(row, "personId", person)),
            ["annual"] = await Api.GetText(As.Analyst, "/api/reports/annual?from=2026-01-01&to=2026-12-31", "text/csv"),
        };

        foreach (var (view, csv) in csvs)
        {
            var cells = Cells(csv);
            cells.Where(c => c.Length > 0 && Formula.Contains(c[0])).ShouldBeEmpty(view);
            cells.ShouldContain(c => c.StartsWith('\'') && Formula.Contains(c[1]), view);   // the legacy text is there, escaped
        }

        Cells(csvs["timeliness"]).ShouldContain("'=HYPERLINK(\"http://x\",\"y\")");
        Cells(csvs["annual"]).ShouldContain("'=1+1");
    }

    /// <summary>The CSV of the page (500 rows) of a national list that holds the row sought, found by reading the JSON pages.</summary>
    private async Task<string> PageHolding(string url, Func<JsonNode?, bool> holds)
    {
        var join = url.Contains('?') ? "&" : "?";
        for (var page = 1; page < 100; page++)
        {
            var paged = $"{url}{join}page={page}&pageSize=500";
            var items = (await Api.Get(As.Analyst, paged)).Json["items"]!.AsArray();
            if (items.Any(holds)) return await Api.GetText(As.Analyst, paged, "text/csv");
            if (items.Count < 500) break;
        }

        throw new ShouldAssertException($"{url} never listed the episodes recorded before reference data");
    }

    private static bool Is(JsonNode? node, string field, Guid id) => node?[field]?.GetValue<string>() == id.ToString();

    private static List<string> Cells(string csv)
    {
        using var parser = new CsvParser(new StringReader(csv), CultureInfo.InvariantCulture);
        List<string> cells = [];
        while (parser.Read()) cells.AddRange(parser.Record ?? []);
        return cells;
    }
}
