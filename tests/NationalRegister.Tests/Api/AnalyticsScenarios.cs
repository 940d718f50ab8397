using System.Net;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.Analytics;

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
    public static As NewForce() => As.Force($"T{Guid.NewGuid():N}"[..8].ToUpperInvariant());

    public static string NewLocalAuthority() => $"LA {Guid.NewGuid():N}"[..11];

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
