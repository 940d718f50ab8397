using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Infrastructure.Auth;

/// <summary>
/// The "Auth" configuration section. Either a symmetric SigningKey (tests and deployments that mint their own tokens
/// with the token command) or an OpenID Connect Authority whose keys are discovered.
/// </summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";

    /// <summary>
    /// Development's key when none is set: public (it is in this repository), so anywhere else it is refused at start.
    /// </summary>
    public const string DevelopmentKey = "development-only-signing-key-not-for-production-use-0123456789";

    /// <summary>HS256 needs at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    public string? SigningKey { get; set; }
    public string? Authority { get; set; }
    public string Issuer { get; set; } = "national-register";
    public string Audience { get; set; } = "national-register";
    public double TokenLifetimeHours { get; set; } = 8;

    /// <summary>A token that lives longer than a shift is refused, whoever signed it.</summary>
    public double MaxTokenLifetimeHours { get; set; } = 12;

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey ?? ""));

    public string Issue(IEnumerable<Claim> claims, DateTimeOffset now) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Subject = new ClaimsIdentity(claims),
        IssuedAt = now.UtcDateTime,
        NotBefore = now.UtcDateTime,
        Expires = now.AddHours(TokenLifetimeHours).UtcDateTime,
        SigningCredentials = new SigningCredentials(Key(), SecurityAlgorithms.HmacSha256),
    });
}

/// <summary>At start: a key anyone could hold, or none, stops the register there, saying what to set.</summary>
public sealed class AuthSettingsCheck(IHostEnvironment environment) : IValidateOptions<AuthSettings>
{
    private const string WhatToSet =
        "Set Auth__SigningKey to a secret of at least 32 bytes (e.g. `openssl rand -base64 48`), or Auth__Authority to an OpenID Connect authority.";

    public ValidateOptionsResult Validate(string? name, AuthSettings settings)
    {
        if (settings.TokenLifetimeHours <= 0 || settings.TokenLifetimeHours > settings.MaxTokenLifetimeHours)
            return ValidateOptionsResult.Fail($"Auth__TokenLifetimeHours must be more than 0 and at most Auth__MaxTokenLifetimeHours ({settings.MaxTokenLifetimeHours}).");
        if (!string.IsNullOrWhiteSpace(settings.Authority)) return ValidateOptionsResult.Success;
        if (string.IsNullOrWhiteSpace(settings.SigningKey))
            return ValidateOptionsResult.Fail($"No signing key. {WhatToSet}");
        if (Encoding.UTF8.GetByteCount(settings.SigningKey) < AuthSettings.MinimumKeyBytes)
            return ValidateOptionsResult.Fail($"Auth__SigningKey is shorter than {AuthSettings.MinimumKeyBytes} bytes. {WhatToSet}");
        if (settings.SigningKey == AuthSettings.DevelopmentKey && !environment.IsDevelopment())
            return ValidateOptionsResult.Fail($"Auth__SigningKey is the development key, published in this repository, and this is {environment.EnvironmentName}. {WhatToSet}");
        return ValidateOptionsResult.Success;
    }
}

public static class AuthenticationSetup
{
    public static IServiceCollection AddRegisterAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthSettings>().BindConfiguration(AuthSettings.Section)
            .PostConfigure<IHostEnvironment>((settings, environment) =>
            {
                if (environment.IsDevelopment() && string.IsNullOrWhiteSpace(settings.SigningKey) && string.IsNullOrWhiteSpace(settings.Authority))
                    settings.SigningKey = AuthSettings.DevelopmentKey;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthSettings>, AuthSettingsCheck>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthSettings>>((jwt, settings) =>
            {
                var auth = settings.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    NameClaimType = RegisterClaims.Name,
                    RoleClaimType = RegisterClaims.Role,
                    ClockSkew = TimeSpan.FromMinutes(1),
                    RequireExpirationTime = true,
                };
                if (!string.IsNullOrWhiteSpace(auth.Authority)) jwt.Authority = auth.Authority;
                else jwt.TokenValidationParameters.IssuerSigningKey = auth.Key();
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        // The same clock JwtBearer judged the token's expiry by (the machine's, not the register's TimeProvider).
                        var refusal = context.SecurityToken is JsonWebToken token && context.Principal?.Identity is ClaimsIdentity identity
                            ? TokenRules.Admit(identity, token, context.HttpContext.RequestServices.GetRequiredService<IKnownAgencies>(),
                                TimeProvider.System.GetUtcNow(), auth.MaxTokenLifetimeHours)
                            : "The token is not a JSON web token.";
                        if (refusal is not null) context.Fail(new TokenRefusedException(refusal));
                        return Task.CompletedTask;
                    },
                    // A 401 or 403 is a problem detail like every other refusal, whatever the Accept header asked for.
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await Problems.Write(context.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in",
                            context.AuthenticateFailure switch
                            {
                                TokenRefusedException refused => refused.Message,
                                null => "Send Authorization: Bearer <token>, a token the register or its identity provider issued.",
                                // IdentityModel's own reasons name keys and claims: say what to do instead.
                                _ => "The bearer token is not valid here: expired, not yet valid, for another audience or issuer, or not signed with the register's key. Ask for a new token.",
                            });
                    },
                    OnForbidden = context => Problems.Write(context.HttpContext, StatusCodes.Status403Forbidden, "Not yours to see or change",
                        "Your role may not use this endpoint."),
                };
            });
        services.AddAuthorization(Policies.Add);
        return services;
    }
}
