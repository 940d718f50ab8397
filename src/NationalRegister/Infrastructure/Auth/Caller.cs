using System.Reflection;
using System.Security.Claims;
using JasperFx;
using JasperFx.CodeGeneration.Frames;
using JasperFx.CodeGeneration.Model;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace NationalRegister.Infrastructure.Auth;

/// <summary>Who is asking, as the token says, and under which correlation id.</summary>
public sealed record Caller(string User, string Role, string? Force, string? LocalAuthority, string CorrelationId)
{
    /// <summary>The force or agency an event is recorded for, and the scope of its messageIds.</summary>
    public string Agency => Force ?? LocalAuthority ?? Role;

    public bool IsForce => Role == Roles.Force && Force is not null;
    public bool IsChildrensServices => Role == Roles.ChildrensServices && LocalAuthority is not null;
    public bool IsAnalystOrAuditor => Role is Roles.Analyst or Roles.Auditor;

    /// <summary>The token as <see cref="TokenRules"/> admitted it: one role, a user, and the agency's code as listed.</summary>
    public static Caller From(HttpContext http) => Of(http.User, Http.CorrelationId.Of(http));

    /// <summary>A caller outside a request of its own (a message of a batch).</summary>
    public static Caller Of(ClaimsPrincipal user, string correlationId)
    {
        var role = Roles.All.FirstOrDefault(user.IsInRole) ?? "";
        return new Caller(
            user.FindFirstValue(RegisterClaims.Name) ?? user.FindFirstValue(RegisterClaims.Subject) ?? "unknown",
            role,
            role == Roles.Force ? NormaliseForce(user.FindFirstValue(RegisterClaims.Force)) : null,
            role == Roles.ChildrensServices ? user.FindFirstValue(RegisterClaims.LocalAuthority) : null,
            correlationId);
    }

    /// <summary>Force codes are compared as upper case: "gmp" and "GMP" are one force.</summary>
    public static string? NormaliseForce(string? force) =>
        string.IsNullOrWhiteSpace(force) ? null : force.Trim().ToUpperInvariant();
}

/// <summary>Any endpoint, Before or Validate method that takes a <see cref="Caller"/> gets the one the token describes.</summary>
public sealed class CallerParameter : IParameterStrategy
{
    public bool TryMatch(HttpChain chain, IServiceContainer container, ParameterInfo parameter, out Variable? variable)
    {
        if (parameter.ParameterType != typeof(Caller))
        {
            variable = null;
            return false;
        }

        // Read once per request however many methods of the chain ask for it.
        variable = chain.Middleware.SelectMany(frame => frame.Creates).FirstOrDefault(v => v.VariableType == typeof(Caller))
            ?? new MethodCall(typeof(Caller), nameof(Caller.From)).ReturnVariable;
        return true;
    }
}
