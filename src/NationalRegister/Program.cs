using JasperFx;
using NationalRegister.Alerts;
using NationalRegister.Analytics;
using NationalRegister.Audit;
using NationalRegister.Infrastructure.AccessLogging;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Infrastructure.Postgres;
using NationalRegister.Infrastructure.Telemetry;
using NationalRegister.Messages;
using NationalRegister.People;
using NationalRegister.Reference;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = HostEnvironment.Name() });

builder.AddCommandLine(args);
builder.AddServiceDefaults();
builder.AddEventStore(options => options.AddEpisodes().AddPeople().AddAnalytics().AddAlerts().AddAccessLog());
builder.AddMessaging();
builder.AddReferenceData();
builder.AddEpisodeServices();
builder.AddAnalyticsServices();
builder.AddAlertServices();
builder.AddAuditServices();
builder.AddAccessLog();
builder.AddMessageBatches();
builder.Services.AddRegisterAuthentication();
builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();
if (!await RegisterDatabase.StartForCommand(app, args)) return 1;

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCorrelationIds();
app.UseAuthentication();
app.UseAccessLogging();
app.UseAuthorization();
app.UseJustifications();
app.UseQueryStrings();
app.UseCommandBodies();

app.MapOpenApi();
if (app.Environment.IsDevelopment()) app.MapScalarApiReference();
app.MapHealth();
app.MapEndpoints(http => http.AddEpisodeWriters());

return await app.RunRegister(args);

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
