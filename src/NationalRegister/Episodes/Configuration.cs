using JasperFx.Events.Projections;
using Marten;

namespace NationalRegister.Episodes;

public static class Configuration
{
    public static StoreOptions AddEpisodes(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(MissingReported), typeof(RiskAssessed), typeof(SightingRecorded),
            typeof(PersonFound), typeof(ReturnInterviewRecorded), typeof(EpisodeClosed),
        ]);

        // Inline: the episode view commits with its events and doubles as the decider state, one read per command.
        options.Projections.Snapshot<Episode>(SnapshotLifecycle.Inline);
        options.Schema.For<Episode>().Duplicate(e => e.PersonId);

        return options;
    }
}
