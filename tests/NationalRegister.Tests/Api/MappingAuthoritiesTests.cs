using System.Net;
using NationalRegister.Analytics;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Episodes recorded before the register had reference data name their authority in free text (issue #10): those that
/// match a listed name are mapped by the `authorities` command, the rest are listed for an operator to map, each mapping
/// an event that a later mapping can put right, and every view follows.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class MappingAuthoritiesTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private Task<(int ExitCode, string StdOut, string StdErr)> Authorities(params string[] args) => RegisterProcess.Run(
        new Dictionary<string, string?> { ["ConnectionStrings__Register"] = Fixture.ConnectionString }, ["authorities", .. args]);

    private Task<Guid> RecordedAs(As force, string localAuthority) => Fixture.RecordedBeforeReferenceData(force.ForceCode!,
        RegisterApi.NewSubject(), localAuthority, RegisterApi.Now.AddDays(-4), foundAt: RegisterApi.Now.AddDays(-4).AddHours(8));

    [Fact]
    public async Task known_names_are_mapped_the_rest_listed_and_an_operators_mapping_can_be_put_right()
    {
        var force = AnalyticsScenarios.NewForce();
        var unknown = $"Leeds Metropolitan {Guid.NewGuid():N}"[..28];
        var byOfficialName = await RecordedAs(force, "Leeds City Council");
        var byLowerCase = await RecordedAs(force, "leeds");
        var byOperator = await RecordedAs(force, unknown);
        var leeds = As.ChildrensServices("Leeds");
        (await Api.GetEpisode(leeds, byOfficialName)).Status.ShouldBe(HttpStatusCode.Forbidden);    // free text is no authority

        var listed = await Authorities("list");
        listed.ExitCode.ShouldBe(0, listed.StdErr);
        listed.StdOut.ShouldContain("\"Leeds City Council\": 1 episode(s), matches E08000035 Leeds");
        listed.StdOut.ShouldContain($"\"{unknown}\": 1 episode(s), no match");

        var mapped = await Authorities("map", "--user", "Ops 4");
        mapped.ExitCode.ShouldBe(0, mapped.StdErr);
        mapped.StdOut.ShouldContain("Mapped");
        foreach (var episode in new[] { byOfficialName, byLowerCase })
        {
            var view = await Api.Episode(leeds, episode);
            (view.LocalAuthority, view.LocalAuthorityName).ShouldBe(("E08000035", "Leeds"));
        }

        (await Api.Episode(force, byOperator)).LocalAuthority.ShouldBe(unknown);
        (await Authorities("map", "--from", unknown, "--to", "Leeds", "--user", "Ops 4", "--reason", "Confirmed with the force"))
            .ExitCode.ShouldBe(0);
        (await Api.Episode(force, byOperator)).LocalAuthority.ShouldBe("E08000035");
        (await Authorities("list")).StdOut.ShouldNotContain(unknown);

        // The operator chose wrongly: mapping again puts it right, and the history keeps both decisions.
        (await Authorities("map", "--episode", byOperator.ToString(), "--to", "E08000032", "--user", "Ops 5", "--reason", "It was Bradford"))
            .ExitCode.ShouldBe(0);
        (await Api.Episode(force, byOperator)).LocalAuthorityName.ShouldBe("Bradford");
        var person = (await Api.Episode(force, byOperator)).PersonId;
        var mappings = (await Api.History(As.Auditor, person)).Where(e => e.Type == nameof(LocalAuthorityMapped)).ToList();
        mappings.Select(m => m.RecordedBy).ShouldBe(["Ops 4", "Ops 5"]);
        mappings.Select(m => m.Data.ToString()).ShouldAllBe(d => d!.Contains("E08000035", StringComparison.Ordinal));

        await Fixture.CaughtUp();
        (await Api.List<InterviewTimeliness>(force, "/api/analytics/return-interviews/timeliness")).Items
            .Select(t => (t.LocalAuthorityName, t.ChildrenFound)).ShouldBe([("Bradford", 1L), ("Leeds", 2L)], ignoreOrder: true);
    }

    [Theory]
    [InlineData("map")]                                                       // who is mapping?
    [InlineData("map", "--user", "Ops 4", "--to", "Leeds", "--reason", "x")]   // which episodes?
    [InlineData("map", "--user", "Ops 4", "--from", "Leeds CC", "--to", "Nowhere", "--reason", "x")]
    public async Task a_mapping_that_does_not_say_who_what_or_to_which_known_authority_is_refused(params string[] args)
    {
        var (exitCode, _, stderr) = await Authorities(args);

        exitCode.ShouldNotBe(0);
        stderr.ShouldContain("--");
    }
}
