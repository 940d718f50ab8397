using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using NationalRegister.Episodes;
using NationalRegister.People;
using Wolverine;

namespace NationalRegister.Alerts;

public static class Configuration
{
    public static StoreOptions AddAlerts(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(RepeatMissingAlertRaised)]);
        options.Projections.Snapshot<RepeatMissingAlert>(SnapshotLifecycle.Inline);
        return options;
    }

    /// <summary>Detection reads then writes a person's alerts: one at a time on a node, so two reports cannot both miss or both raise.</summary>
    public static WolverineOptions AddAlerts(this WolverineOptions opts)
    {
        opts.LocalQueue(Detection).Sequential();
        opts.PublishMessage<IEvent<MissingReported>>().ToLocalQueue(Detection);
        opts.PublishMessage<IEvent<PeopleMerged>>().ToLocalQueue(Detection);
        return opts;
    }

    public const string Detection = "repeat-missing-detection";

    public static WebApplicationBuilder AddAlertSettings(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RepeatThresholds>().Configure<IConfiguration>((thresholds, configuration) =>
        {
            var configured = configuration.GetSection(RepeatThresholds.Section).Get<List<RepeatThresholds.Threshold>>();
            if (configured is { Count: > 0 }) thresholds.Thresholds = configured;
        });
        return builder;
    }
}
