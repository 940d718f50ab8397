using JasperFx;
using JasperFx.Events;
using JasperFx.OpenTelemetry;
using Marten;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Postgres;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using System.Text.Json.Serialization;

namespace NationalRegister.Infrastructure;

public static class EventStore
{
    public const string Schema = "register";

    /// <summary>Marten on the register's PostgreSQL: the event store, its inline views, and Wolverine's durable inbox/outbox.</summary>
    public static WebApplicationBuilder AddEventStore(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSingleton<RegisterDatabase>();
        var marten = builder.Services.AddMarten(services =>
            {
                var options = new StoreOptions();
                options.Connection(services.GetRequiredService<RegisterDatabase>().ConnectionString);
                options.DatabaseSchemaName = Schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                // Who recorded each event, for which agency, under which request and message (DPA 2018 s62 logging).
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Events.MetadataConfig.CausationIdEnabled = true;
                options.Events.MetadataConfig.UserNameEnabled = true;
                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                // Spans per connection and counters of appended events, exported with the rest of the telemetry.
                options.OpenTelemetry.TrackConnections = TrackLevel.Normal;
                options.OpenTelemetry.TrackEventCounters();
                // Development creates or migrates the schema at start; production runs `db-apply` as a deployment step.
                options.AutoCreateSchemaObjects = development ? AutoCreate.CreateOrUpdate : AutoCreate.None;
                return options.AddEpisodes();
            })
            .UseLightweightSessions()
            .IntegrateWithWolverine();
        if (development) marten.ApplyAllDatabaseChangesOnStartup();
        return builder;
    }

    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        builder.Host.UseWolverine(opts =>
        {
            // Explicit, so endpoints are found whichever assembly (a test runner, say) started the process.
            opts.ApplicationAssembly = typeof(EventStore).Assembly;
            opts.UseRuntimeCompilation();
        });
        builder.Services.AddWolverineHttp();
        builder.Services.ConfigureSystemTextJsonForWolverineOrMinimalApi(o =>
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return builder;
    }
}
