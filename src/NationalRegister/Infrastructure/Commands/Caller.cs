using System.Security.Claims;
using Marten;
using NationalRegister.Episodes;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>Who is asking, as the token says, and under which correlation id.</summary>
public sealed record Caller(string User, string Role, string? Force, string? LocalAuthority, string CorrelationId)
{
    /// <summary>The force or agency an event is recorded for.</summary>
    public string Agency => Force ?? LocalAuthority ?? Role;

    public bool IsForce => Role == Roles.Force && Force is not null;
    public bool IsChildrensServices => Role == Roles.ChildrensServices && LocalAuthority is not null;

    public static Caller From(HttpContext http)
    {
        var user = http.User;
        var role = Roles.All.FirstOrDefault(user.IsInRole) ?? "";
        return new Caller(
            user.FindFirstValue(RegisterClaims.Name) ?? user.FindFirstValue(RegisterClaims.Subject) ?? "unknown",
            role,
            role == Roles.Force ? Normalise(user.FindFirstValue(RegisterClaims.Force)) : null,
            role == Roles.ChildrensServices ? user.FindFirstValue(RegisterClaims.LocalAuthority)?.Trim() : null,
            Http.CorrelationId.Of(http));
    }

    /// <summary>Force codes are compared as upper case: "gmp" and "GMP" are one force.</summary>
    public static string? Normalise(string? force) =>
        string.IsNullOrWhiteSpace(force) ? null : force.Trim().ToUpperInvariant();

    /// <summary>A force sees only its own episodes; children's services those of children in their care or area.</summary>
    public bool MayRead(Episode episode) => Role switch
    {
        Roles.Force => episode.Force == Force,
        Roles.ChildrensServices => IsLocalAuthorityOf(episode),
        Roles.Analyst or Roles.Auditor => true,
        _ => false,
    };

    public bool IsOwningForce(Episode episode) => IsForce && episode.Force == Force;

    public bool IsLocalAuthorityOf(Episode episode) =>
        IsChildrensServices && string.Equals(episode.LocalAuthority, LocalAuthority, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Stamps every event this session appends with who (user name), for whom (agency header), under which request
    /// (correlation id) and because of which command (causation id: the messageId).
    /// </summary>
    public void Stamp(IDocumentSession session, Guid messageId)
    {
        session.CorrelationId = CorrelationId;
        session.CausationId = messageId.ToString();
        session.LastModifiedBy = User;
        session.SetHeader(EventHeaders.Agency, Agency);
        session.SetHeader(EventHeaders.Role, Role);
    }
}

public static class EventHeaders
{
    public const string Agency = "agency";
    public const string Role = "role";
}
