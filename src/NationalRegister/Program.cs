using JasperFx;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Infrastructure.Telemetry;
using Scalar.AspNetCore;
using Wolverine.Http;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = HostEnvironment.Name() });

builder.AddServiceDefaults();
builder.AddEventStore();
builder.AddMessaging();
builder.Services.AddRegisterAuthentication();
builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<EpisodeWriter>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCorrelationIds();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
if (app.Environment.IsDevelopment()) app.MapScalarApiReference();
app.MapHealth();
app.MapWolverineEndpoints();

TokenCommand.KeepStandardOutputForTheToken(args);
return await app.RunJasperFxCommands(args);

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
