using NationalRegister.Alerts;
using NationalRegister.Analytics;

namespace NationalRegister.Tests.Api;

/// <summary>What no single force can see: one child reported by several forces, found as a possible match, merged, counted once.</summary>
[Collection(RegisterCollection.Name)]
public sealed class AnalyticsAcrossForcesTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task reports_from_two_forces_with_the_same_names_and_birth_date_are_a_possible_match_until_merged()
    {
        var (first, second) = (AnalyticsScenarios.NewForce(), AnalyticsScenarios.NewForce());
        var familyName = $"Matchtest{Guid.NewGuid():N}"[..18];
        var a = await Api.ChildReportedBy(first, "Jo", familyName, new DateOnly(2012, 3, 4));
        var b = await Api.ChildReportedBy(second, "jo", familyName.ToUpperInvariant() + "-", new DateOnly(2012, 3, 4));
        var other = await Api.ChildReportedBy(second, "Jo", familyName, new DateOnly(2012, 3, 5));           // another birth date
        await Fixture.CaughtUp();

        var match = (await Matches()).Single(m => m.Records.Any(r => r.PersonId == a.PersonId));
        match.Records.Select(r => r.PersonId).ShouldBe(new[] { a.PersonId, b.PersonId }.Order());
        match.Forces.ShouldBe(new[] { first.ForceCode!, second.ForceCode! }.Order());
        match.Records.ShouldNotContain(r => r.PersonId == other.PersonId);

        await Api.Merged(b.PersonId, a.PersonId);
        (await Matches()).ShouldNotContain(m => m.Records.Any(r => r.PersonId == a.PersonId));
        await Api.Unmerged(b.PersonId);
        (await Matches()).ShouldContain(m => m.Records.Any(r => r.PersonId == a.PersonId));
    }

    [Fact]
    public async Task repeat_missing_and_alerts_follow_merges_and_unmerges()
    {
        var (first, second) = (AnalyticsScenarios.NewForce(), AnalyticsScenarios.NewForce());
        var a = await Api.ChildReportedBy(first, episodes: 2, lastSeenAt: RegisterApi.Now.AddDays(-40));    // 70 and 40 days ago
        var b = await Api.ChildReportedBy(second, lastSeenAt: RegisterApi.Now.AddDays(-10));
        await Fixture.CaughtUp();
        var url = $"/api/analytics/repeat-missing?windowDays=90&minEpisodes=3";
        (await Api.List<RepeatMissingPerson>(As.Analyst, url + "&pageSize=500")).Items.ShouldNotContain(p => p.PersonId == a.PersonId);

        await Api.Merged(b.PersonId, a.PersonId);
        await Fixture.CaughtUp();

        var repeat = (await Api.List<RepeatMissingPerson>(As.Analyst, url + "&pageSize=500")).Items.Single(p => p.PersonId == a.PersonId);
        repeat.Episodes.ShouldBe(3);
        repeat.Forces.ShouldBe(new[] { first.ForceCode!, second.ForceCode! }.Order());
        var alert = await AnalyticsScenarios.Eventually(async () => (await Api.List<AlertView>(As.Analyst, "/api/alerts?pageSize=500")).Items
            .FirstOrDefault(x => x.PersonId == a.PersonId && x.WindowDays == 90));
        alert.ShouldNotBeNull().Forces.ShouldBe(new[] { first.ForceCode!, second.ForceCode! }.Order());
        (await Api.List<AlertView>(second, "/api/alerts?pageSize=500")).Items.ShouldContain(x => x.AlertId == alert.AlertId);

        await Api.Unmerged(b.PersonId);
        await Fixture.CaughtUp();
        (await Api.List<RepeatMissingPerson>(As.Analyst, url + "&pageSize=500")).Items.ShouldNotContain(p => p.PersonId == a.PersonId);
    }

    private async Task<IReadOnlyList<PossibleMatch>> Matches() =>
        (await Api.List<PossibleMatch>(As.Analyst, "/api/people/possible-matches?pageSize=500")).Items;
}
