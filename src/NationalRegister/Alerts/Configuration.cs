using JasperFx.Events.Projections;
using Marten;
using Wolverine.Marten;

namespace NationalRegister.Alerts;

public static class Configuration
{
    public static StoreOptions AddAlerts(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(RepeatMissingAlertRaised)]);
        options.Projections.Snapshot<RepeatMissingAlert>(SnapshotLifecycle.Async);
        options.Schema.For<RepeatMissingAlert>().Duplicate(a => a.PersonId).Duplicate(a => a.RaisedAt);
        return options;
    }

    public static WebApplicationBuilder AddAlertServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RepeatThresholds>().Configure<IConfiguration>((thresholds, configuration) =>
        {
            var configured = configuration.GetSection(RepeatThresholds.Section).Get<List<RepeatThresholds.Threshold>>();
            if (configured is { Count: > 0 }) thresholds.Thresholds = configured;
        });
        builder.Services.SubscribeToEventsWithServices<RepeatMissingDetector>(ServiceLifetime.Singleton);
        return builder;
    }
}
