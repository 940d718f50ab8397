using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NationalRegister.Infrastructure.Auth;

/// <summary>
/// The "Auth" configuration section. Either a symmetric SigningKey (development, tests, small deployments that mint
/// their own tokens with the token command) or an OpenID Connect Authority whose keys are discovered.
/// </summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";
    public string? SigningKey { get; set; }
    public string? Authority { get; set; }
    public string Issuer { get; set; } = "national-register";
    public string Audience { get; set; } = "national-register";
    public double TokenLifetimeHours { get; set; } = 8;

    public SymmetricSecurityKey Key()
    {
        var bytes = Encoding.UTF8.GetBytes(SigningKey ?? "");
        // HS256 needs at least 256 bits; a short key is a configuration error, not something to pad silently.
        return bytes.Length >= 32
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException(
                "Auth:SigningKey must be at least 32 characters. Set Auth__SigningKey (or Auth__Authority for OpenID Connect).");
    }

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

public static class AuthenticationSetup
{
    public static IServiceCollection AddRegisterAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthSettings>().BindConfiguration(AuthSettings.Section)
            .Validate(s => !string.IsNullOrWhiteSpace(s.SigningKey) || !string.IsNullOrWhiteSpace(s.Authority),
                "Set Auth__SigningKey (at least 32 characters) or Auth__Authority (an OpenID Connect authority).")
            .ValidateOnStart();
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
                };
                if (!string.IsNullOrWhiteSpace(auth.Authority)) jwt.Authority = auth.Authority;
                else if (!string.IsNullOrWhiteSpace(auth.SigningKey)) jwt.TokenValidationParameters.IssuerSigningKey = auth.Key();
            });
        services.AddAuthorization(Policies.Add);
        return services;
    }
}
