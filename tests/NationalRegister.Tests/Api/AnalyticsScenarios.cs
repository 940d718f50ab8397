using System.Net;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.Analytics;
using NationalRegister.Episodes;

namespace NationalRegister.Tests.Api;

/// <summary>The analysts' vocabulary: national views read as typed records, once the async projections have caught up.</summary>
public static class AnalyticsScenarios
{
    public static async Task CaughtUp(this RegisterFixture fixture)
    {
        // Marten's wait throws "no event activity" on a store that has no events yet: then there is nothing to catch up on.
        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        if ((await store.Advanced.FetchEventStoreStatistics()).EventCount == 0) return;
        await fixture.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
    }

    public static async Task<T> View<T>(this RegisterApi api, As who, string url)
    {
        var reply = await api.Get(who, url);
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Body?.ToJsonString());
        return reply.Read<T>();
    }

    public static Task<PageOf<T>> List<T>(this RegisterApi api, As who, string url) => api.View<PageOf<T>>(who, url);

    public static async Task<string> GetText(this RegisterApi api, As who, string url, string accept) =>
        (await api.Get(who, url, ("Accept", accept))).Text;

    /// <summary>A force of its own for one test: national tables are shared, so views are read through its filter.</summary>
    public static As NewForce() => As.Force(TestAgencies.NextForce());

    /// <summary>A local authority of its own for one test, by its code (as every view names it).</summary>
    public static string NewLocalAuthority() => TestAgencies.NextLocalAuthority();

    /// <summary>
    /// An episode as the register recorded it before it had reference data: its events written straight to the store,
    /// with whatever force and local authority text the report carried (a child of 13 unless a date of birth is given).
    /// </summary>
    public static async Task<Guid> RecordedBeforeReferenceData(this RegisterFixture fixture, string force, string subject, string? localAuthority,
        DateTimeOffset lastSeen, DateTimeOffset? foundAt = null, DateOnly? dateOfBirth = null)
    {
        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        var id = Guid.NewGuid();
        var person = new PersonDetails(subject, "Sam", "Synthetic", dateOfBirth ?? DateOnly.FromDateTime(lastSeen.UtcDateTime).AddYears(-13), "Female");
        List<object> events = [new MissingReported(id, PersonIdentity.Of(force, subject), force, $"OLD-{id:N}"[..12], person, true, lastSeen,
            "Park", "Did not come home", lastSeen.AddHours(1), "Carer", localAuthority)];
        if (foundAt is { } found) events.Add(new PersonFound(found, "Home", "PC 2", FoundOutcome.SafeAndWell));
        await using var session = store.LightweightSession();
        session.Events.StartStream<Episode>(id, [.. events]);
        await session.SaveChangesAsync();
        return id;
    }

    /// <summary>What an async view, subscription or handler makes true, within ten seconds.</summary>
    public static async Task<T?> Eventually<T>(Func<Task<T?>> read) where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (await read() is { } found) return found;
            await Task.Delay(100);
        }

        return null;
    }
}
