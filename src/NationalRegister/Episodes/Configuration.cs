using System.Globalization;
using JasperFx.Events.Projections;
using Marten;
using Wolverine.Http;

namespace NationalRegister.Episodes;

public static class Configuration
{
    public static StoreOptions AddEpisodes(this StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(MissingReported), typeof(RiskAssessed), typeof(SightingRecorded),
            typeof(PersonFound), typeof(ReturnInterviewRecorded), typeof(EpisodeClosed), typeof(EpisodeTransferred), typeof(EpisodeReviewed),
            typeof(LocalAuthorityMapped), typeof(LastSeenCorrected), typeof(PersonDetailsCorrected), typeof(LocalAuthorityCorrected),
            typeof(EpisodeRelinked), typeof(EventRetracted),
        ]);

        // Inline: the episode view commits with its events and doubles as the decider state, one read per command.
        options.Projections.Snapshot<Episode>(SnapshotLifecycle.Inline);
        options.Schema.For<Episode>().Duplicate(e => e.PersonId);

        return options;
    }

    public static WebApplicationBuilder AddEpisodeServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReviewIntervals>().Configure<IConfiguration>((intervals, configuration) =>
        {
            foreach (var force in configuration.GetSection(ReviewIntervals.Section).GetChildren())
                intervals.Forces[force.Key] = force.GetChildren().ToDictionary(
                    level => Enum.TryParse<RiskLevel>(level.Key, ignoreCase: true, out var known) ? known.ToString() : ReviewIntervals.Ungraded,
                    level => double.Parse(level.Value ?? "", CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        });
        return builder;
    }

    public static WolverineHttpOptions AddEpisodeWriters(this WolverineHttpOptions http)
    {
        http.AddMiddleware(typeof(WaitForEpisodeTurn),
            chain => chain.HttpMethods.Contains("POST") && chain.RoutePattern?.Parameters.Any(p => p.Name == "episodeId") == true);
        return http;
    }
}
