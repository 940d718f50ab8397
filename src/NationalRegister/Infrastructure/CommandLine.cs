using JasperFx;
using JasperFx.CommandLine;
using NationalRegister.Infrastructure.Auth;

namespace NationalRegister.Infrastructure;

/// <summary>The register's command line (JasperFx): `run` by default, plus db-apply, projections, codegen, token...</summary>
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
        return builder;
    }
}
