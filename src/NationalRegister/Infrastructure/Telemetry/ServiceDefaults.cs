using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NationalRegister.Infrastructure.Telemetry;

/// <summary>What every host of the register has: problem details, health, structured logs, traces and metrics.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        // Structured JSON logs for collectors; readable lines on a developer's terminal.
        if (!builder.Environment.IsDevelopment()) builder.Logging.ClearProviders().AddJsonConsole(o => o.IncludeScopes = true);

        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>(); // before ASP.NET's own: it always writes
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions["correlationId"] = CorrelationId.Of(c.HttpContext));

        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("postgresql");

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("national-register"))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != "/health")
                .AddSource("Wolverine", "Marten")
                .AddNpgsql())
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Wolverine:*", "Marten", "Npgsql"));
        // Exported over OTLP only when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) otel.UseOtlpExporter();
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = (http, report) => http.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
            }),
        }).AllowAnonymous();
        return app;
    }
}
