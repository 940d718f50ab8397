using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Infrastructure.Auth;

/// <summary>A signed token the register will not act on: the reason is the 401's detail.</summary>
public sealed class TokenRefusedException(string reason) : Exception(reason);

/// <summary>
/// What the register asks of a token beyond its signature, issuer, audience and expiry (which JwtBearer checks): a short
/// life counted from now as well as from issue, one role, one agency the reference data knows, and a user to record.
/// Pure: the clock is passed in.
/// </summary>
public static class TokenRules
{
    /// <summary>Clocks drift; the issuer's may run a little ahead of the register's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public const int MaxUserLength = 200;

    /// <summary>
    /// Null when the token may be used; otherwise why not. On success the identity's force or local authority claim is
    /// the code the register lists ("gmp" becomes GMP, "Manchester" becomes E08000003), so every later check compares codes.
    /// </summary>
    public static string? Admit(ClaimsIdentity identity, JsonWebToken token, IKnownAgencies agencies, DateTimeOffset now,
        double maxLifetimeHours)
    {
        var maxLifetime = TimeSpan.FromHours(maxLifetimeHours);
        DateTimeOffset? issued = token.IssuedAt == DateTime.MinValue ? null : new DateTimeOffset(token.IssuedAt, TimeSpan.Zero);
        DateTimeOffset? notBefore = token.ValidFrom == DateTime.MinValue ? null : new DateTimeOffset(token.ValidFrom, TimeSpan.Zero);
        var expires = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        if (issued > now + ClockSkew || notBefore > now + ClockSkew)
            return "The token was issued (iat) or starts (nbf) in the future: check the issuing clock, then ask for a new token.";
        // From issue, and from now: a token issued "ten years ahead" that expires an hour after that is ten years long today.
        if (expires - (issued ?? notBefore ?? now) > maxLifetime || expires - now > maxLifetime + ClockSkew)
            return $"Tokens may live {maxLifetimeHours} hours at most, counted from when they were issued and from now.";

        if (Single(identity, RegisterClaims.Role, "role", out var role) is { } roleProblem) return roleProblem;
        if (!Roles.All.Contains(role))
            return $"The token's role is not one the register knows: {string.Join(", ", Roles.All)}.";

        var userProblem = OneValue(identity, RegisterClaims.Name, "name") ?? OneValue(identity, RegisterClaims.Subject, "sub");
        if (userProblem is not null) return userProblem;
        var user = identity.FindFirst(RegisterClaims.Name)?.Value ?? identity.FindFirst(RegisterClaims.Subject)?.Value;
        if (string.IsNullOrWhiteSpace(user))
            return "The token names no user (name or sub): every event records who recorded it.";
        if (user.Length > MaxUserLength || !Characters.IsOneLine(user))
            return $"The token's user name must be one line of at most {MaxUserLength} characters.";

        return role switch
        {
            Roles.Force => Agency(identity, RegisterClaims.Force, "force", agencies.ForceCode,
                "names a force the register does not know: its code must be one of those listed at GET /api/reference/forces (e.g. GMP)."),
            Roles.ChildrensServices => Agency(identity, RegisterClaims.LocalAuthority, "local_authority", agencies.LocalAuthorityCode,
                "names a local authority the register does not know: its ONS code or its name as listed at GET /api/reference/local-authorities (e.g. Manchester)."),
            _ => null,
        };
    }

    /// <summary>Exactly one value of the claim, and it names a known agency: then the claim is that agency's code.</summary>
    private static string? Agency(ClaimsIdentity identity, string claim, string name, Func<string?, string?> known, string unknown)
    {
        if (Single(identity, claim, name, out var given) is { } problem) return problem;
        if (known(given) is not { } code) return $"The token's {name} claim {unknown}";
        identity.RemoveClaim(identity.FindFirst(claim));
        identity.AddClaim(new Claim(claim, code));
        return null;
    }

    private static string? Single(ClaimsIdentity identity, string claim, string name, out string value)
    {
        var values = identity.FindAll(claim).Select(c => c.Value).ToList();
        value = values.Count == 1 ? values[0] : "";
        return values.Count == 1 && !string.IsNullOrWhiteSpace(value) ? null
            : $"A token carries exactly one {name} claim; this one carries {values.Count(v => !string.IsNullOrWhiteSpace(v))}.";
    }

    private static string? OneValue(ClaimsIdentity identity, string claim, string name) =>
        identity.FindAll(claim).Count() > 1 ? $"A token carries at most one {name} claim." : null;
}
