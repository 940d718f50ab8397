using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using NationalRegister.Infrastructure.Postgres;

namespace NationalRegister.Tests.Api;

/// <summary>
/// One real register for the whole test run: the real host (Alba) on a real PostgreSQL, a throwaway server started
/// from the machine's binaries unless ConnectionStrings__Register names one. Tests never share data: every test
/// invents its own people, episodes and message ids, so nothing needs resetting between them.
/// </summary>
public sealed class RegisterFixture : IAsyncLifetime
{
    public const string SigningKey = "integration-tests-signing-key-0123456789-abcdef";
    private LocalPostgres? _postgres;

    public IAlbaHost Host { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Register") is { Length: > 0 } given
            ? given
            : StartThrowawayPostgres();

        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("ConnectionStrings:Register", ConnectionString);
            web.UseSetting("Auth:SigningKey", SigningKey);
        });
    }

    private string StartThrowawayPostgres()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"nr-tests-{Guid.NewGuid():N}"[..20]);
        _postgres = LocalPostgres.Start(new LocalPostgresOptions(folder, ThrowawayForTests: true), NullLogger.Instance);
        return _postgres.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _postgres?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RegisterCollection : ICollectionFixture<RegisterFixture>
{
    public const string Name = "register";
}
