using System.Net.Sockets;
using JasperFx;
using JasperFx.CommandLine;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;
using Weasel.Core.Migrations;

namespace NationalRegister.Infrastructure;

/// <summary>The register's command line (JasperFx): serving by default, plus db-apply, projections, codegen, token...</summary>
public static class CommandLine
{
    public static WebApplicationBuilder AddCommandLine(this WebApplicationBuilder builder, string[] args)
    {
        // JasperFx prints "Searching '<assembly>' for commands" on every start until it has applied extensions. The register
        // wires Marten and Wolverine itself, so there are none to apply: say so, and a normal start prints only what matters.
        new CommandFactory().ApplyExtensions(new ServiceCollection());
        // The register has HTTP endpoints and, so far, no message handlers of its own: Wolverine's "found no handlers" is expected.
        builder.Logging.AddFilter("Wolverine.Configuration.HandlerDiscovery", LogLevel.Error);
        TokenCommand.KeepStandardOutputForTheToken(builder, args);
        if (args is ["import", ..])
        {
            // The importer serves nobody and leaves the projections and subscriptions to the register's node(s): it writes,
            // they catch up (two nodes each running every projection stall each other's shards).
            builder.Configuration["Register:Durability"] = "ServerlessWithOutbox";
            builder.Configuration["Urls"] = "http://127.0.0.1:0"; // any free port: appsettings.json's 5080 is the register's
        }

        Seeding.SeedCommand.KeepStandardOutputForTheLines(builder, args);
        return builder;
    }

    /// <summary>
    /// Serves (no command, or only ASP.NET flags such as --urls), or runs the command given. A start that fails exits 1 with
    /// one line on stderr saying why and what to do, so a supervisor (systemd, Kubernetes, compose) sees a failure; after
    /// serving, the exit code is whatever the register set (non-zero when its database could not be kept running).
    /// </summary>
    public static async Task<int> RunRegister(this WebApplication app, string[] args)
    {
        if (args is not ([] or ["run", ..] or [['-', ..], ..])) return await app.RunJasperFxCommands(args);
        await using var _ = app; // stops the embedded PostgreSQL, flushes telemetry
        try
        {
            await app.StartAsync();
        }
        catch (Exception e)
        {
            var database = new NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<RegisterDatabase>().ConnectionString);
            await Console.Error.WriteLineAsync($"The register did not start: {Explain(e, $"{database.Host}:{database.Port}")}");
            return 1;
        }

        await app.WaitForShutdownAsync();
        return Environment.ExitCode;
    }

    /// <summary>Why a start failed and what to do, in one line.</summary>
    internal static string Explain(Exception e, string database) => e switch
    {
        AggregateException { InnerExceptions: [var only] } => Explain(only, database),
        OptionsValidationException o => string.Join(' ', o.Failures),
        DatabaseValidationException =>
            "the database has no register schema, or an older one. Apply it first: `dotnet NationalRegister.dll db-apply` " +
            "(or `dotnet run --project src/NationalRegister -- db-apply`); `db-patch FILE` writes the SQL for review instead.",
        NpgsqlException { InnerException: SocketException or TimeoutException } or NpgsqlException { IsTransient: true } =>
            $"cannot reach PostgreSQL at {database}: {e.InnerException?.Message ?? e.Message}. Check ConnectionStrings__Register " +
            "(or leave it empty to use the embedded PostgreSQL).",
        PostgresException p => $"PostgreSQL at {database} refused: {p.MessageText}. Check ConnectionStrings__Register.",
        _ when e.InnerException is { } inner => Explain(inner, database),
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
