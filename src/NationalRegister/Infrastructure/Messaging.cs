using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.CodeGeneration;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using Wolverine;
using Wolverine.Http;

namespace NationalRegister.Infrastructure;

public static class Messaging
{
    /// <summary>
    /// Wolverine: HTTP endpoints and handlers in one transaction with Marten and the durable outbox, so whatever a handler
    /// appends, stores and publishes commits together or not at all.
    /// </summary>
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.CritterStackDefaults(defaults =>
        {
            // Development generates handler code at start (Roslyn); anywhere else it is the code `codegen write` committed
            // under Internal/Generated (.ci/run fails when it is stale), so a cold start compiles nothing.
            defaults.Development.GeneratedCodeMode = TypeLoadMode.Dynamic;
            defaults.Production.GeneratedCodeMode = TypeLoadMode.Static;
            defaults.Production.AssertAllPreGeneratedTypesExist = true;
            // The schema, Wolverine's tables included, is a deployment step (db-apply), never a side effect of starting.
            defaults.Production.ResourceAutoCreate = AutoCreate.None;
        });
        builder.Host.UseWolverine(opts =>
        {
            // Explicit, so endpoints are found whichever assembly (a test runner, say) started the process.
            opts.ApplicationAssembly = typeof(Messaging).Assembly;
            opts.Policies.AutoApplyTransactions();
            // One node runs every agent (the projections among them) itself; several nodes share them out: Register__Durability=Balanced.
            opts.Durability.Mode = builder.Configuration["Register:Durability"] is { } mode
                ? Enum.Parse<DurabilityMode>(mode, ignoreCase: true)
                : DurabilityMode.Solo;
            // Nothing acknowledged is lost: messages wait in PostgreSQL, beside the events they came with, until handled or sent.
            opts.Policies.UseDurableLocalQueues();
            opts.Policies.UseDurableOutboxOnAllSendingEndpoints();
            opts.UseRuntimeCompilation();
        });
        builder.Services.AddWolverineHttp();
        builder.Services.ConfigureSystemTextJsonForWolverineOrMinimalApi(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            // A misspelt field is an error, not a silently missing value.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CommandLedger>();
        builder.Services.AddSingleton<StreamQueues>();
        builder.Services.AddExceptionHandler<DuplicateCommandHandler>();
        return builder;
    }

    public static WebApplication MapEndpoints(this WebApplication app, Action<WolverineHttpOptions> capabilities)
    {
        app.MapWolverineEndpoints(opts =>
        {
            // "?page=abc" is a 400, not page 0.
            opts.RejectUnparseableQueryValues = true;
            opts.AddParameterHandlingStrategy<CallerParameter>();
            opts.AddPolicy<CommandResponses>();
            capabilities(opts);
        });
        return app;
    }
}
