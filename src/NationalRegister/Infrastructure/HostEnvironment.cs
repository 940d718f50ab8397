namespace NationalRegister.Infrastructure;

/// <summary>
/// ASPNETCORE_ENVIRONMENT (or DOTNET_ENVIRONMENT) when set. Otherwise `dotnet run` from a source checkout is a
/// developer's run (Development: the development signing key, schema migrated at start, the interactive API page),
/// and anything else, such as a published build, is Production. No launch profile is needed, so `dotnet run` prints
/// nothing of its own and `TOKEN=$(dotnet run ... -- token ...)` captures only the token.
/// </summary>
public static class HostEnvironment
{
    public static string Name() =>
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
        : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
        : File.Exists(Path.Combine(Environment.CurrentDirectory, "NationalRegister.csproj")) ? Environments.Development
        : Environments.Production;
}
