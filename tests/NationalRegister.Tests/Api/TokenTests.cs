using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NationalRegister.Infrastructure.Auth;

namespace NationalRegister.Tests.Api;

/// <summary>
/// What a token must be beyond well signed (issue #10): short-lived counted from now as well as from issue, one role, one
/// agency the register knows, and a user who can be recorded. Each refusal is a 401 problem detail saying why.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class TokenTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static Claim[] ForceOfficer(string user = "PC 1") =>
        [new(RegisterClaims.Subject, user), new(RegisterClaims.Name, user), new(RegisterClaims.Role, Roles.Force), new(RegisterClaims.Force, "GMP")];

    /// <summary>A token signed with the register's key, with exactly the claims and times given.</summary>
    private static string Token(IEnumerable<Claim> claims, DateTimeOffset? issuedAt = null, DateTimeOffset? notBefore = null,
        DateTimeOffset? expires = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "national-register",
            Audience = "national-register",
            Subject = new ClaimsIdentity(claims),
            IssuedAt = (issuedAt ?? Now).UtcDateTime,
            NotBefore = notBefore?.UtcDateTime,
            Expires = (expires ?? Now.AddHours(1)).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(RegisterFixture.SigningKey)),
                SecurityAlgorithms.HmacSha256),
        });

    private async Task<Reply> Summary(string token, string accept = "application/json")
    {
        var result = await Fixture.Host.Scenario(s =>
        {
            s.Get.Url("/api/analytics/summary");
            s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.WithRequestHeader("Accept", accept);
            s.IgnoreStatusCode();
        });
        var text = await result.ReadAsTextAsync();
        var headers = result.Context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new Reply((HttpStatusCode)result.Context.Response.StatusCode,
            headers.GetValueOrDefault("Content-Type", "").Contains("json", StringComparison.Ordinal) ? System.Text.Json.Nodes.JsonNode.Parse(text) : null,
            headers, text);
    }

    private async Task Refused(string token, string because)
    {
        var reply = await Summary(token);
        reply.Status.ShouldBe(HttpStatusCode.Unauthorized, reply.Text);
        reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
        reply.Detail.ShouldContain(because);
    }

    [Fact]
    public async Task a_well_formed_token_is_accepted()
    {
        (await Summary(Token(ForceOfficer()))).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_token_issued_ten_years_ahead_is_refused_today_though_it_lives_an_hour() =>
        await Refused(Token(ForceOfficer(), issuedAt: Now.AddYears(10), expires: Now.AddYears(10).AddHours(1)), "in the future");

    [Fact]
    public async Task a_token_that_starts_in_the_future_is_refused() =>
        await Refused(Token(ForceOfficer(), issuedAt: Now, notBefore: Now.AddHours(2), expires: Now.AddHours(3)), "not yet valid");

    [Fact]
    public async Task a_token_issued_long_ago_that_still_has_days_to_run_is_refused() =>
        await Refused(Token(ForceOfficer(), issuedAt: Now.AddMinutes(-30), expires: Now.AddDays(3)), "12 hours");

    [Fact]
    public async Task a_token_issued_a_few_seconds_ahead_of_the_register_clock_is_accepted()
    {
        (await Summary(Token(ForceOfficer(), issuedAt: Now.AddSeconds(20), expires: Now.AddHours(2)))).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_token_with_two_roles_is_refused() =>
        await Refused(Token([.. ForceOfficer(), new(RegisterClaims.Role, Roles.Auditor)]), "exactly one role");

    [Fact]
    public async Task a_token_with_two_forces_is_refused() =>
        await Refused(Token([.. ForceOfficer(), new(RegisterClaims.Force, "MET")]), "exactly one force");

    [Fact]
    public async Task a_token_for_childrens_services_with_two_authorities_is_refused() =>
        await Refused(Token([new(RegisterClaims.Name, "RHI 1"), new(RegisterClaims.Role, Roles.ChildrensServices),
            new(RegisterClaims.LocalAuthority, "Leeds"), new(RegisterClaims.LocalAuthority, "Manchester")]), "exactly one local_authority");

    [Fact]
    public async Task a_token_with_a_role_the_register_does_not_have_is_refused() =>
        await Refused(Token([new(RegisterClaims.Name, "Someone"), new(RegisterClaims.Role, "superuser")]), "role");

    [Fact]
    public async Task a_token_that_names_no_user_is_refused() =>
        await Refused(Token([new(RegisterClaims.Role, Roles.Force), new(RegisterClaims.Force, "GMP")]), "names no user");

    [Theory]
    [InlineData("PC 1\r\nAdmin")]
    [InlineData("PC 1\u001b[2J")]
    [InlineData("PC\u202E1")]
    [InlineData("PC\u20281")]
    public async Task a_user_name_that_is_not_one_line_of_text_is_refused(string user) =>
        await Refused(Token(ForceOfficer(user)), "one line");

    [Fact]
    public async Task a_user_name_of_ten_thousand_characters_is_refused() =>
        await Refused(Token(ForceOfficer(new string('a', 10_000))), "at most 200");

    [Fact]
    public async Task a_401_and_a_403_are_problem_details_even_to_a_client_that_asked_for_csv()
    {
        var unauthorised = await Summary("not-a-token", accept: "text/csv");
        var forbidden = await Api.Get(As.Auditor, "/api/analytics/open-episodes", ("Accept", "text/csv"));

        unauthorised.Status.ShouldBe(HttpStatusCode.Unauthorized);
        forbidden.Status.ShouldBe(HttpStatusCode.Forbidden);
        foreach (var reply in new[] { unauthorised, forbidden })
        {
            reply.Headers["Content-Type"].ShouldStartWith("application/problem+json");
            reply.Json["status"]!.GetValue<int>().ShouldBe((int)reply.Status);
            reply.Detail.ShouldNotBeEmpty();
        }
    }

    [Fact]
    public async Task an_officers_writes_are_recorded_under_the_user_the_token_names()
    {
        var episode = (await Api.ReportMissing(As.Force("GMP", "DC 4471"))).EpisodeId;
        var person = (await Api.Episode(Gmp, episode)).PersonId;

        (await Api.History(As.Auditor, person)).ShouldAllBe(e => e.RecordedBy == "DC 4471");
    }
}
