using NationalRegister.Alerts;
using NationalRegister.Analytics;

namespace NationalRegister.Tests.Api;

/// <summary>Repeat missing raises an alert, as an event, published through the outbox, listed for those concerned.</summary>
[Collection(RegisterCollection.Name)]
public sealed class AlertTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_third_episode_in_thirty_days_raises_one_alert_per_threshold_for_those_concerned()
    {
        var force = AnalyticsScenarios.NewForce();
        var subject = RegisterApi.NewSubject();
        await Api.ChildMissing(force, subject, lastSeenAt: RegisterApi.Now.AddDays(-20));
        await Api.ChildMissing(force, subject, lastSeenAt: RegisterApi.Now.AddDays(-10));
        (await AlertsFor(force, expected: 0)).ShouldBeEmpty();

        var third = await Api.ChildMissing(force, subject, lastSeenAt: RegisterApi.Now.AddHours(-3));

        var alerts = await AlertsFor(force, expected: 2);
        alerts.Select(a => (a.ThresholdEpisodes, a.WindowDays)).ShouldBe([(3, 30), (3, 90)], ignoreOrder: true);
        alerts.ShouldAllBe(a => a.EpisodeIds.Count == 3 && a.EpisodeIds.Contains(third) && a.Forces.SequenceEqual(new[] { force.ForceCode }));
        (await Api.List<AlertView>(As.ChildrensServices("Manchester"), "/api/alerts?pageSize=500")).Items
            .Count(a => a.Forces.Contains(force.ForceCode!)).ShouldBe(2);
        (await Api.List<AlertView>(Met, "/api/alerts?pageSize=500")).Items.ShouldNotContain(a => a.Forces.Contains(force.ForceCode!));
        // Published through the outbox and handled: the notice names the alert, nothing else.
        (await AnalyticsScenarios.Eventually(() => Task.FromResult(Fixture.Logs.Entries
            .Count(e => alerts.Any(a => e.Text.Contains(a.AlertId.ToString(), StringComparison.Ordinal))) >= 2 ? "logged" : null))).ShouldNotBeNull();

        await Api.ChildMissing(force, subject, lastSeenAt: RegisterApi.Now.AddHours(-1));   // a fourth in the same burst: no new alert
        await Fixture.CaughtUp();
        await Task.Delay(500);
        (await AlertsFor(force, expected: 2)).Count.ShouldBe(2);
    }

    private async Task<IReadOnlyList<AlertView>> AlertsFor(As force, int expected)
    {
        IReadOnlyList<AlertView> alerts = [];
        await AnalyticsScenarios.Eventually(async () =>
        {
            alerts = (await Api.List<AlertView>(force, "/api/alerts?pageSize=500")).Items;
            return alerts.Count >= expected ? alerts : null;
        });
        return alerts;
    }
}
