using Microsoft.Extensions.Options;
using NationalRegister.Audit.Anchoring;
using NationalRegister.Infrastructure.Integrity;

namespace NationalRegister.Audit;

public static class Configuration
{
    public static WebApplicationBuilder AddAuditServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AnchorSettings>().BindConfiguration(AnchorSettings.Section);
        builder.Services.AddSingleton(services => new CheckpointFolder(services.GetRequiredService<IOptions<AnchorSettings>>().Value.FolderOrDefault(),
            services.GetRequiredService<ChainKey>()));
        builder.Services.AddSingleton<ChainVerifier>();
        builder.Services.AddSingleton<AccessChains>();
        builder.Services.AddHostedService<PeriodicCheckpoints>();
        return builder;
    }
}
