using System.Net;
using NationalRegister.Analytics;

namespace NationalRegister.Tests.Api;

/// <summary>
/// The read side held to the write side's standard (issue #10): every query parameter is bounded, of its kind, one line,
/// given once, and named in the API's words when it is not; no 500, and a problem detail whatever the client accepts.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class QueryStringTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    public static readonly TheoryData<string> Views =
    [
        "/api/analytics/summary", "/api/analytics/open-episodes", "/api/analytics/long-term-missing", "/api/analytics/repeat-missing",
        "/api/analytics/reviews/overdue", "/api/analytics/return-interviews/overdue", "/api/analytics/return-interviews/timeliness",
        "/api/reports/annual?from=2026-01-01&to=2026-12-31", "/api/alerts",
    ];

    private static string With(string url, string query) => url + (url.Contains('?') ? "&" : "?") + query;

    private static void ShouldBeA400About(Reply reply, string parameter)
    {
        reply.Status.ShouldBe(HttpStatusCode.BadRequest, reply.Text);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        reply.Json["errors"]!.AsObject().Select(e => e.Key).ShouldContain(parameter);
        reply.Text.ShouldNotContain("System.");
    }

    [Theory]
    [MemberData(nameof(Views))]
    public async Task a_nul_or_a_line_break_in_force_or_local_authority_is_a_400_naming_the_parameter(string view)
    {
        foreach (var parameter in new[] { "force", "localAuthority" })
        foreach (var value in new[] { "%00", "GMP%00", "Leeds%0D%0A", "Leeds%E2%80%AE", "%EF%BB%BFGMP" })
            ShouldBeA400About(await Api.Get(As.Analyst, With(view, $"{parameter}={value}")), parameter);
    }

    [Theory]
    [InlineData("page=2147483647", "page")]
    [InlineData("page=16777217&pageSize=256", "page")]
    [InlineData("page=99999999999", "page")]
    [InlineData("page=0", "page")]
    [InlineData("pageSize=501", "pageSize")]
    [InlineData("page=abc", "page")]
    [InlineData("page=1&page=2", "page")]
    [InlineData("page=1.5", "page")]
    public async Task paging_out_of_bounds_or_of_the_wrong_kind_is_a_400(string query, string parameter)
    {
        var reply = await Api.Get(As.Analyst, With("/api/analytics/open-episodes", query));

        reply.Status.ShouldBe(HttpStatusCode.BadRequest, reply.Text);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        reply.Text.ShouldContain(parameter);
        reply.Text.ShouldNotContain("System.");
    }

    [Fact]
    public async Task the_last_page_there_can_be_is_counted_in_long_arithmetic_and_is_empty_not_page_one()
    {
        await Api.ChildMissing(Gmp);
        await Fixture.CaughtUp();

        var page = await Api.List<MissingNow>(As.Analyst, $"/api/analytics/open-episodes?page={Paging.MaxPage}&pageSize={Paging.MaxSize}");

        page.Page.ShouldBe(Paging.MaxPage);
        page.Items.ShouldBeEmpty();
        page.Total.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=01/12/2026", "from")]
    [InlineData("to=0001-01-01", "to")]
    [InlineData("to=9999-12-31", "to")]
    public async Task a_bad_date_says_what_a_date_is_not_what_dotnet_could_not_parse(string query, string parameter)
    {
        var reply = await Api.Get(As.Analyst, "/api/analytics/return-interviews/timeliness?" + query);

        ShouldBeA400About(reply, parameter);
        reply.Text.ShouldContain("date");
        reply.Text.ShouldNotContain("DateOnly");
    }

    [Fact]
    public async Task a_parameter_the_view_does_not_take_is_a_400_listing_those_it_does()
    {
        var reply = await Api.Get(As.Analyst, "/api/analytics/open-episodes?locaAuthority=Leeds");

        ShouldBeA400About(reply, "locaAuthority");
        reply.Text.ShouldContain("localAuthority");
    }

    [Fact]
    public async Task a_bad_parameter_is_a_problem_detail_to_a_client_that_asked_for_csv()
    {
        var reply = await Api.Get(As.Analyst, "/api/analytics/open-episodes?page=0", ("Accept", "text/csv"));

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
    }

    [Fact]
    public async Task nothing_of_a_bad_query_string_reaches_the_logs_as_an_error()
    {
        var before = Fixture.Logs.Entries.Count;

        foreach (var url in new[] { "/api/analytics/open-episodes?force=%00", "/api/analytics/open-episodes?page=2147483647", "/api/alerts?localAuthority=%00" })
            (await Api.Get(As.Analyst, url)).Status.ShouldBe(HttpStatusCode.BadRequest);

        Fixture.Logs.Entries.Skip(before).ShouldNotContain(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
