using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace NationalRegister.Tests.Api;

[Collection(RegisterCollection.Name)]
public sealed class AuthorisationTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public void every_api_endpoint_requires_an_authorisation_policy()
    {
        var endpoints = Fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .ToList();

        endpoints.Count.ShouldBe(30);
        endpoints.ShouldAllBe(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy != null));
        endpoints.ShouldAllBe(e => e.Metadata.GetMetadata<IAllowAnonymous>() == null);
    }

    [Fact]
    public async Task without_a_token_every_api_call_is_401()
    {
        var episode = await Api.ChildMissing(Gmp);
        (await Api.ReportMissing(As.Nobody)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.AssessRisk(As.Nobody, episode)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.GetEpisode(As.Nobody, episode)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.GetPerson(As.Nobody, Guid.NewGuid())).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.GetHistory(As.Nobody, Guid.NewGuid())).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task a_token_signed_with_another_key_is_401()
    {
        var forged = new NationalRegister.Infrastructure.Auth.AuthSettings { SigningKey = new string('x', 40) }
            .Issue([new("role", "auditor"), new("name", "Mallory")], DateTimeOffset.UtcNow);
        var result = await Fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/people/{Guid.NewGuid()}");
            s.WithRequestHeader("Authorization", $"Bearer {forged}");
            s.StatusCodeShouldBe(HttpStatusCode.Unauthorized);
        });
        result.Context.Response.StatusCode.ShouldBe(401);
    }

    [Fact]
    public async Task a_force_writes_and_reads_only_its_own_episodes()
    {
        var episode = await Api.ChildMissing(Gmp);

        (await Api.AssessRisk(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Sighting(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Found(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetEpisode(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetEpisode(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Episode(Gmp, episode)).Version.ShouldBe(1);
    }

    [Fact]
    public async Task only_forces_report_and_grade()
    {
        var episode = await Api.ChildMissing(Gmp);
        foreach (var who in new[] { As.Analyst, As.Auditor, As.ChildrensServices("Manchester") })
        {
            (await Api.ReportMissing(who)).Status.ShouldBe(HttpStatusCode.Forbidden);
            (await Api.AssessRisk(who, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
            (await Api.Close(who, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task a_force_token_without_a_force_claim_is_401()
    {
        (await Api.ReportMissing(new As("force", "PC 1"))).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task childrens_services_record_return_interviews_for_their_own_children()
    {
        var episode = await Api.ChildFound(Gmp);

        (await Api.ReturnInterview(As.ChildrensServices("Leeds"), episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetEpisode(As.ChildrensServices("Leeds"), episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.ReturnInterview(As.ChildrensServices("Manchester"), episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetEpisode(As.ChildrensServices("Manchester"), episode)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task analysts_and_auditors_read_episodes_of_every_force()
    {
        var episode = await Api.ChildMissing(Met);
        (await Api.GetEpisode(As.Analyst, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetEpisode(As.Auditor, episode)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_person_history_is_for_auditors_with_a_justification()
    {
        var reported = await Api.ReportMissing(Gmp);
        var person = reported.PersonId;

        (await Api.GetHistory(Gmp, person)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetHistory(As.Analyst, person)).Status.ShouldBe(HttpStatusCode.Forbidden);
        var unjustified = await Api.GetHistory(As.Auditor, person, justification: null);
        unjustified.Status.ShouldBe(HttpStatusCode.BadRequest);
        unjustified.Detail.ShouldContain("X-Justification");
        (await Api.GetHistory(As.Auditor, person)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_person_view_is_for_auditors_analysts_and_forces_with_an_episode_for_them()
    {
        var reported = await Api.ReportMissing(Gmp);
        var person = reported.PersonId;

        (await Api.GetPerson(Gmp, person)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetPerson(As.Auditor, person)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.GetPerson(Met, person)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetPerson(As.Analyst, person)).Status.ShouldBe(HttpStatusCode.OK);   // counts and an age band, no names
        (await Api.GetPerson(As.ChildrensServices("Manchester"), person)).Status.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task a_refusal_says_what_the_caller_may_not_do_never_whose_record_it_is()
    {
        var reported = await Api.ReportMissing(Gmp);

        var replies = new[]
        {
            await Api.AssessRisk(Met, reported.EpisodeId), await Api.GetEpisode(Met, reported.EpisodeId),
            await Api.GetEpisode(As.ChildrensServices("Leeds"), reported.EpisodeId), await Api.GetPerson(Met, reported.PersonId),
        };

        foreach (var reply in replies)
        {
            reply.Status.ShouldBe(HttpStatusCode.Forbidden);
            reply.Detail.ShouldNotBeEmpty();
            reply.Json.ToJsonString().ShouldNotContain("GMP");
            reply.Json.ToJsonString().ShouldNotContain("Manchester");
        }
    }

    [Theory]
    [InlineData("x")]
    [InlineData("too short")]
    [InlineData(null)]
    public async Task a_justification_is_ten_to_five_hundred_characters(string? justification)
    {
        var person = (await Api.ReportMissing(Gmp)).PersonId;
        var headers = justification is null
            ? new[] { ("X-Justification", new string('j', 501)) }
            : new[] { ("X-Justification", justification) };

        var reply = await Api.Get(As.Auditor, $"/api/people/{person}/history", headers);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Detail.ShouldContain("10 to 500 characters");
    }

    [Fact]
    public async Task a_justification_given_twice_is_a_400()
    {
        var person = (await Api.ReportMissing(Gmp)).PersonId;

        var reply = await Api.Get(As.Auditor, $"/api/people/{person}/history",
            ("X-Justification", "Case review CR-2026-19"), ("X-Justification", "Another reason entirely"));

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Detail.ShouldContain("once");
    }

    [Theory]
    [InlineData(12, HttpStatusCode.OK)]
    [InlineData(24, HttpStatusCode.Unauthorized)]
    public async Task a_token_may_live_twelve_hours_at_most(double hours, HttpStatusCode expected)
    {
        var episode = await Api.ChildMissing(Gmp);
        var token = new NationalRegister.Infrastructure.Auth.AuthSettings { SigningKey = RegisterFixture.SigningKey, TokenLifetimeHours = hours }
            .Issue([new("sub", "PC 1"), new("name", "PC 1"), new("role", "force"), new("force", "GMP")], DateTimeOffset.UtcNow);

        var result = await Fixture.Host.Scenario(s =>
        {
            s.Get.Url($"/api/episodes/{episode}");
            s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.IgnoreStatusCode();
        });

        result.Context.Response.StatusCode.ShouldBe((int)expected);
    }
}
