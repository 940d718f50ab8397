using System.Text;
using Microsoft.Extensions.Options;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>
/// The "Audit" configuration section: the key that links every event and access record to the one before it. Like the
/// signing key it lives in configuration (a secret store, an environment variable), never in the database, so someone
/// who can write to PostgreSQL cannot forge a chain.
/// </summary>
public sealed class ChainSettings
{
    public const string Section = "Audit";

    /// <summary>Development's key: public (it is in this repository), so anywhere else it is refused at start.</summary>
    public const string DevelopmentKey = "development-only-chain-key-not-for-production-use-0123456789";

    public const int MinimumKeyBytes = 32;

    public string? ChainKey { get; set; }

    public byte[] Key() => Encoding.UTF8.GetBytes(ChainKey ?? "");
}

/// <summary>At start: a chain key anyone could hold, or none, stops the register there, saying what to set.</summary>
public sealed class ChainSettingsCheck(IHostEnvironment environment) : IValidateOptions<ChainSettings>
{
    private const string WhatToSet = "Set Audit__ChainKey to a secret of at least 32 bytes (e.g. `openssl rand -base64 48`), kept apart from the database.";

    public ValidateOptionsResult Validate(string? name, ChainSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.ChainKey)) return ValidateOptionsResult.Fail($"No chain key. {WhatToSet}");
        if (Encoding.UTF8.GetByteCount(settings.ChainKey) < ChainSettings.MinimumKeyBytes)
            return ValidateOptionsResult.Fail($"Audit__ChainKey is shorter than {ChainSettings.MinimumKeyBytes} bytes. {WhatToSet}");
        if (settings.ChainKey == ChainSettings.DevelopmentKey && !environment.IsDevelopment())
            return ValidateOptionsResult.Fail($"Audit__ChainKey is the development key, published in this repository, and this is {environment.EnvironmentName}. {WhatToSet}");
        return ValidateOptionsResult.Success;
    }
}

/// <summary>
/// The chain key as the chains use it, read from configuration when first needed rather than when the register's parts
/// are built: a missing or weak key is then the start-up check's one-line refusal, not a failure deep in a constructor.
/// </summary>
public sealed class ChainKey(IOptions<ChainSettings> settings)
{
    private byte[]? _bytes;

    public byte[] Bytes => _bytes ??= settings.Value.Key();
}
