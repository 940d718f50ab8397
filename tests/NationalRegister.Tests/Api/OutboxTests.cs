using Marten;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.Episodes;
using Wolverine;
using Wolverine.Marten;
using Wolverine.Tracking;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Wolverine's transaction and Marten outbox around a handler shaped like the register's own: what a handler appends
/// and what it publishes commit together or not at all. (Alerts and notices to other systems will rely on it.)
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class OutboxTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_message_published_beside_events_is_sent_once_they_commit()
    {
        var episode = await Api.ChildMissing(Gmp);

        var tracked = await Fixture.Host.SendMessageAndWaitAsync(new ProbeSighting(episode, Clash: null));

        tracked.Executed.SingleMessage<SightingNoticed>().EpisodeId.ShouldBe(episode);
        (await Api.Episode(Gmp, episode)).Sightings.ShouldBe(1);
    }

    [Fact]
    public async Task when_the_commit_fails_neither_the_events_nor_the_message_exist()
    {
        var episode = await Api.ChildMissing(Gmp);
        var marker = new ProbeMarker(Guid.NewGuid());
        await using (var session = Fixture.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Insert(marker);
            await session.SaveChangesAsync();
        }

        var tracked = await Fixture.Host.TrackActivity().DoNotAssertOnExceptionsDetected()
            .SendMessageAndWaitAsync(new ProbeSighting(episode, Clash: marker));

        tracked.Executed.MessagesOf<SightingNoticed>().ShouldBeEmpty();
        tracked.Sent.MessagesOf<SightingNoticed>().ShouldBeEmpty();
        (await Api.Episode(Gmp, episode)).Sightings.ShouldBe(0);
    }
}

public sealed record ProbeSighting(Guid EpisodeId, ProbeMarker? Clash);

public sealed record SightingNoticed(Guid EpisodeId);

/// <summary>A document inserted twice makes the commit fail after the handler has appended and published.</summary>
public sealed record ProbeMarker(Guid Id);

public static class ProbeSightingHandler
{
    public static (Events, OutgoingMessages, IMartenOp) Handle(ProbeSighting command, [WriteAggregate] Episode episode) =>
        ([new SightingRecorded(episode.LastSeenAt.AddMinutes(5), "Probe", "Outbox test")],
         new OutgoingMessages([new SightingNoticed(episode.Id)]),
         command.Clash is { } clash ? MartenOps.Insert(clash) : MartenOps.Nothing());
}

public static class SightingNoticedHandler
{
    public static void Handle(SightingNoticed notice) { }
}
