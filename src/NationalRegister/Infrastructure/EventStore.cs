using JasperFx;
using JasperFx.Events;
using JasperFx.OpenTelemetry;
using Marten;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.Infrastructure.Postgres;
using Weasel.Core;
using Wolverine.Marten;

namespace NationalRegister.Infrastructure;

public static class EventStore
{
    public const string Schema = "register";

    /// <summary>Marten on the register's PostgreSQL: the event store, its inline views, and Wolverine's durable inbox/outbox.</summary>
    public static WebApplicationBuilder AddEventStore(this WebApplicationBuilder builder, Func<StoreOptions, StoreOptions> capabilities)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddRegisterDatabase();
        builder.Services.AddOptions<ChainSettings>().BindConfiguration(ChainSettings.Section)
            .PostConfigure<IHostEnvironment>((settings, environment) =>
            {
                if (environment.IsDevelopment() && string.IsNullOrWhiteSpace(settings.ChainKey)) settings.ChainKey = ChainSettings.DevelopmentKey;
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ChainSettings>, ChainSettingsCheck>();
        builder.Services.AddSingleton<ChainKey>();
        var marten = builder.Services.AddMarten(services =>
            {
                var options = new StoreOptions();
                // Marten's read sessions stay on the primary even with a standby in the connection string: its async daemon
                // reads event pages through them, and a page read from a lagging standby would skip events for good
                // (StandbyTests, docs/scaling.md).
                options.Connection(services.GetRequiredService<RegisterDatabase>().ConnectionString);
                options.DatabaseSchemaName = Schema;
                options.Logger(new MartenLogging(services.GetRequiredService<ILogger<MartenLogging>>()));
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                // Who recorded each event, for which agency, under which request and message (DPA 2018 s62 logging).
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Events.MetadataConfig.CausationIdEnabled = true;
                options.Events.MetadataConfig.UserNameEnabled = true;
                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                // The recorded time is the database's (Quick mode stamps now() in the appending transaction), and every
                // event is linked to the one before it in its stream (keyed hash chain): see Integrity/EventChain.
                options.Events.AppendMode = EventAppendMode.Quick;
                // An index on the event type: the daemon loads a type-filtered subscription's pages by it, and the repeat
                // detector reads the alerts raised so far by it, instead of scanning every event (bench/run's catch-up).
                options.Events.EnableEventTypeIndex = true;
                options.Listeners.Add(new EventChain(services.GetRequiredService<ChainKey>()));
                // Spans per connection and counters of appended events, exported with the rest of the telemetry.
                options.OpenTelemetry.TrackConnections = TrackLevel.Normal;
                options.OpenTelemetry.TrackEventCounters();
                // Development creates or migrates the schema at start; production runs `db-apply` as a deployment step.
                options.AutoCreateSchemaObjects = development ? AutoCreate.CreateOrUpdate : AutoCreate.None;
                // The permanent messageId records (see CommandLedger).
                options.Schema.For<ProcessedCommand>().DocumentAlias("processed_command");
                return capabilities(options);
            })
            .UseLightweightSessions()
            // The async projections and subscriptions run under Wolverine, which spreads them over the nodes (Balanced) or runs
            // them here (Solo).
            .IntegrateWithWolverine(integration => integration.UseWolverineManagedEventSubscriptionDistribution = true);
        // Development migrates at start; anywhere else a missing or older schema stops the start, saying to run db-apply.
        if (development) marten.ApplyAllDatabaseChangesOnStartup();
        else marten.AssertDatabaseMatchesConfigurationOnStartup();
        return builder;
    }
}
