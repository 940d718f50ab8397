using System.Net;
using NationalRegister.Analytics;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Reference;

namespace NationalRegister.Tests.Api;

/// <summary>
/// The forces and local authorities the register knows (issue #10): every command, token and filter naming one is
/// checked against them, so no episode goes to a force that does not exist and an authority is one authority however named.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class ReferenceDataTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private Task<Reply> Transfer(As who, Guid episode, string toForce) =>
        Api.Post(who, $"/api/episodes/{episode}/transfer", new { messageId = RegisterApi.NewId(), toForce, reason = "Seen in their area" });

    [Fact]
    public async Task the_register_lists_the_forces_of_england_and_wales_and_their_children_services_authorities_with_source_and_date()
    {
        var forces = await Api.View<ReferenceList<Force>>(Met, "/api/reference/forces");
        var authorities = await Api.View<ReferenceList<LocalAuthority>>(As.ChildrensServices("Leeds"), "/api/reference/local-authorities");

        forces.Items.Count(f => f.Kind == "Territorial").ShouldBe(43);
        forces.Items.Where(f => f.Kind == "Territorial").GroupBy(f => f.Country).ToDictionary(g => g.Key, g => g.Count())
            .ShouldBe(new Dictionary<string, int> { ["England"] = 39, ["Wales"] = 4 });
        forces.Items.ShouldContain(new Force("BTP", "British Transport Police", "Great Britain", "Special"));
        forces.Items.Select(f => f.Code).ShouldBeUnique();
        forces.Items.ShouldContain(f => f.Code == "GMP" && f.Name == "Greater Manchester Police");
        authorities.Items.Count(a => a.Type != "Configured").ShouldBe(175);     // 153 in England, 22 in Wales
        authorities.Items.Count(a => a.Country == "Wales").ShouldBe(22);
        authorities.Items.ShouldContain(a => a.Code == "E08000003" && a.Name == "Manchester" && a.OfficialName == "Manchester City Council");
        authorities.Items.ShouldContain(a => a.Code == "E06000064" && a.Name == "Westmorland and Furness");
        foreach (var list in new[] { (forces.Version, forces.Source, forces.AsOf), (authorities.Version, authorities.Source, authorities.AsOf) })
        {
            list.Version.ShouldNotBeNullOrWhiteSpace();
            list.Source.Length.ShouldBeGreaterThan(50);
            list.AsOf.Year.ShouldBeGreaterThanOrEqualTo(2025);
        }

        (await Api.Get(As.Nobody, "/api/reference/forces")).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Manchester")]
    [InlineData("Manchester City Council")]
    [InlineData("manchester  city council")]
    [InlineData("E08000003")]
    public async Task an_authority_named_by_its_code_name_or_official_name_is_recorded_as_its_code(string named)
    {
        var episode = (await Api.ReportMissing(Gmp, RegisterApi.Report(localAuthority: named))).EpisodeId;

        var view = await Api.Episode(Gmp, episode);

        (view.LocalAuthority, view.LocalAuthorityName).ShouldBe(("E08000003", "Manchester"));
        (await Api.GetEpisode(As.ChildrensServices("Manchester City Council"), episode)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task manchester_and_manchester_city_council_are_one_authority_in_the_views()
    {
        var force = AnalyticsScenarios.NewForce();
        foreach (var named in new[] { "Manchester", "Manchester City Council" })
        {
            var episode = (await Api.ReportMissing(force, RegisterApi.Report(localAuthority: named, lastSeenAt: RegisterApi.Now.AddDays(-6)))).EpisodeId;
            await Api.Found(force, episode, foundAt: RegisterApi.Now.AddDays(-5));
        }

        await Fixture.CaughtUp();

        var timeliness = await Api.List<InterviewTimeliness>(force, "/api/analytics/return-interviews/timeliness");
        var row = timeliness.Items.ShouldHaveSingleItem();
        (row.LocalAuthority, row.LocalAuthorityName, row.ChildrenFound).ShouldBe(("E08000003", "Manchester", 2));
        (await Api.List<OverdueReturnInterview>(force, "/api/analytics/return-interviews/overdue?localAuthority=Manchester%20City%20Council"))
            .Items.ShouldAllBe(o => o.LocalAuthority == "E08000003" && o.LocalAuthorityName == "Manchester");
    }

    [Fact]
    public async Task an_unknown_local_authority_is_a_400_that_says_where_to_look_and_records_nothing()
    {
        var episodeId = RegisterApi.NewId();

        var reply = await Api.ReportMissing(Gmp, RegisterApi.Report(localAuthority: "Manchester Council (old)", episodeId: episodeId));

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]!["localAuthority"]![0]!.GetValue<string>().ShouldContain("/api/reference/local-authorities");
        (await Api.GetEpisode(Gmp, episodeId)).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("ZZZ")]
    [InlineData("Manchester")]
    [InlineData("G M P")]
    public async Task an_episode_cannot_be_transferred_to_a_force_the_register_does_not_know(string toForce)
    {
        var episode = await Api.ChildMissing(Gmp);

        var reply = await Transfer(Gmp, episode, toForce);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]!["toForce"]![0]!.GetValue<string>().ShouldContain("/api/reference/forces");
        (await Api.Episode(Gmp, episode)).Force.ShouldBe("GMP");
        (await Api.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);     // not orphaned: its force still writes to it
    }

    [Fact]
    public async Task a_transfer_names_the_force_by_its_code_in_any_case()
    {
        var episode = await Api.ChildMissing(Gmp);

        (await Transfer(Gmp, episode, "wmp")).Status.ShouldBe(HttpStatusCode.OK);

        (await Api.Episode(As.Force("WMP"), episode)).Force.ShouldBe("WMP");
    }

    [Theory]
    [InlineData("/api/analytics/open-episodes?force=ZZZ", "force")]
    [InlineData("/api/analytics/summary?localAuthority=Manchester%20Borough", "localAuthority")]
    [InlineData("/api/reports/annual?from=2026-01-01&to=2026-12-31&force=Greater%20Manchester", "force")]
    [InlineData("/api/alerts?localAuthority=Nowhere", "localAuthority")]
    public async Task a_filter_naming_an_unknown_force_or_authority_is_a_400(string url, string parameter)
    {
        var reply = await Api.Get(As.Analyst, url);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        reply.Detail.ShouldStartWith(parameter);
        reply.Detail.ShouldContain("/api/reference/");
    }

    [Theory]
    [InlineData(Roles.Force, "force", "ZZZ")]
    [InlineData(Roles.Force, "force", "Greater Manchester Police")]
    [InlineData(Roles.ChildrensServices, "local_authority", "Manchester Borough")]
    public async Task a_token_for_an_agency_the_register_does_not_know_is_a_401_saying_where_to_look(string role, string claim, string agency)
    {
        var who = claim == "force" ? new As(role, "PC 1", ForceCode: agency) : new As(role, "RHI 1", LocalAuthority: agency);

        var reply = await Api.Get(who, "/api/analytics/summary");

        reply.Status.ShouldBe(HttpStatusCode.Unauthorized);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        reply.Detail.ShouldContain(claim);
        reply.Detail.ShouldContain("/api/reference/");
    }

    [Fact]
    public async Task childrens_services_named_by_the_official_name_see_what_was_recorded_under_the_listed_name()
    {
        var force = AnalyticsScenarios.NewForce();
        var episode = (await Api.ReportMissing(force, RegisterApi.Report(localAuthority: "Leeds"))).EpisodeId;
        await Fixture.CaughtUp();

        var leeds = As.ChildrensServices("Leeds City Council");

        (await Api.GetEpisode(leeds, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.List<MissingNow>(leeds, "/api/analytics/open-episodes?pageSize=500")).Items.ShouldContain(m => m.EpisodeId == episode);
        (await Api.Get(leeds, "/api/analytics/open-episodes?localAuthority=E08000035")).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Get(leeds, "/api/analytics/open-episodes?localAuthority=Manchester")).Status.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task views_name_each_authority_by_code_and_name_in_json_and_csv()
    {
        var force = AnalyticsScenarios.NewForce();
        await Api.ReportMissing(force, RegisterApi.Report(localAuthority: "Leeds"));
        await Fixture.CaughtUp();

        var json = (await Api.Get(force, "/api/analytics/open-episodes")).Json["items"]![0]!.AsObject();
        var csv = await Api.GetText(force, "/api/analytics/open-episodes", "text/csv");

        (json["localAuthority"]!.GetValue<string>(), json["localAuthorityName"]!.GetValue<string>()).ShouldBe(("E08000035", "Leeds"));
        csv.Split('\n')[0].ShouldContain("LocalAuthority,LocalAuthorityName");
        csv.ShouldContain(",E08000035,Leeds,");
    }
}
