using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Auth;

namespace NationalRegister.Reference;

public static class Configuration
{
    public static WebApplicationBuilder AddReferenceData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReferenceExtensions>().BindConfiguration(ReferenceExtensions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReferenceExtensions>, ReferenceCheck>();
        builder.Services.AddSingleton<ReferenceData>();
        builder.Services.AddSingleton<IKnownAgencies>(services => services.GetRequiredService<ReferenceData>());
        return builder;
    }

    /// <summary>A configured agency that repeats a shipped one, or lacks a code or name, stops the start, saying which.</summary>
    private sealed class ReferenceCheck : IValidateOptions<ReferenceExtensions>
    {
        public ValidateOptionsResult Validate(string? name, ReferenceExtensions options)
        {
            try
            {
                _ = new ReferenceData(Options.Create(options));
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
