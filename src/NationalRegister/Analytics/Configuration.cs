using JasperFx.Events.Projections;
using Marten;

namespace NationalRegister.Analytics;

public static class Configuration
{
    public static WebApplicationBuilder AddAnalyticsServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Freshness>();
        builder.Services.AddSingleton<ViewReads>();
        return builder;
    }

    public static StoreOptions AddAnalytics(this StoreOptions options)
    {
        // Async: the national views never slow a force's write; each answer says how fresh it is (asOf).
        options.Projections.Add(new NationalEpisodesProjection(), ProjectionLifecycle.Async);
        options.Projections.Add<PersonRecordProjection>(ProjectionLifecycle.Async);
        // Plain columns for everything possible matches reads: the view names no JSON field.
        options.Schema.For<PersonRecord>().Duplicate(p => p.MatchKey).Duplicate(p => p.Force, configure: i => i.Columns = ["force", "match_key"])
            .Duplicate(p => p.Reports, pgType: "integer").Duplicate(p => p.AgeWhenLastSeen, pgType: "integer");
        return options;
    }
}
