using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.AccessLogging;

/// <summary>An endpoint that reads identifying data: every call is in the access log before its answer leaves.</summary>
/// <param name="Justified">Everyone must say why (histories, exports, the access log); auditors always must.</param>
/// <param name="Disclosure">The answer goes to a recipient outside the register (an export).</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AccessLoggedAttribute(bool justified = false, bool disclosure = false) : Attribute
{
    public bool Justified => justified;
    public bool Disclosure => disclosure;
}

/// <summary>
/// Records every call of an access-logged endpoint, what it read, why and with what outcome, before the answer leaves the
/// register: the answer is held back until its record is committed, and withheld (503) when it cannot be (DPA 2018 s62:
/// no unlogged consultation). Refusals are recorded too: a 403, a 401 whose token names a user, a 400 for want of a
/// justification. Runs between authentication (so it knows who) and authorisation (so it sees what was refused); the
/// justification it asks for is enforced after authorisation (<see cref="UseJustifications"/>).
/// </summary>
public static class AccessLogging
{
    public const string JustificationHeader = "X-Justification";
    private static readonly object ReadKey = new();
    private static readonly object RefusalKey = new();
    private static readonly ConcurrentDictionary<HttpChain, AccessLoggedAttribute?> Logged = new();

    /// <summary>What the endpoint's answer held: the people (every linked record) and episodes it read.</summary>
    public static void Read(HttpContext http, IEnumerable<Guid> people, IEnumerable<Guid> episodes) =>
        http.Items[ReadKey] = (people.ToArray(), episodes.ToArray());

    public static IApplicationBuilder UseAccessLogging(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<HttpChain>() is not { } chain
            || Logged.GetOrAdd(chain, c => c.Method.Method.GetCustomAttribute<AccessLoggedAttribute>()) is not { } logged)
        {
            await next(http);
            return;
        }

        var log = http.RequestServices.GetRequiredService<AccessLog>();
        var answer = http.Response.Body;
        using var held = new MemoryStream();
        http.Response.Body = held;
        var justification = Justification(http, logged.Justified || http.User.IsInRole(Roles.Auditor), out var refusal);
        if (refusal is not null) http.Items[RefusalKey] = refusal;
        try
        {
            await next(http);
        }
        catch
        {
            http.Response.Body = answer;    // nothing of it leaves; the exception handler answers
            throw;
        }

        try
        {
            if (RecordOf(http, chain, logged, justification) is { } record) await log.Record(record, http.RequestAborted);
        }
        catch (AccessLogUnavailableException)
        {
            http.Response.Body = answer;
            http.Response.Clear();
            await Problems.Write(http, StatusCodes.Status503ServiceUnavailable, "Access log unavailable",
                "The register could not record this read in its access log, so it does not answer it (Data Protection Act 2018, s62). Try again shortly.");
            return;
        }

        http.Response.Body = answer;
        held.Position = 0;
        await held.CopyToAsync(answer, http.RequestAborted);
    });

    /// <summary>
    /// After authorisation (so a role that may not read at all hears 403, not 400): a read that needed a justification and
    /// did not give a valid one is refused here, and the access log records the refusal.
    /// </summary>
    public static IApplicationBuilder UseJustifications(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Items[RefusalKey] is string refusal) await Problems.Write(http, StatusCodes.Status400BadRequest, "Justification required", refusal);
        else await next(http);
    });

    /// <summary>The stated reason, once, 10 to 500 characters on one line (DPA 2018 s62); null when none is needed or given.</summary>
    private static string? Justification(HttpContext http, bool required, out string? refusal)
    {
        var given = http.Request.Headers[JustificationHeader];
        var text = given.ToString().Trim();
        refusal = given.Count switch
        {
            0 when required => $"This read needs an {JustificationHeader} header saying why (Data Protection Act 2018, s62): 10 to 500 characters.",
            0 => null,
            > 1 => $"Give {JustificationHeader} once: one reason for one consultation.",
            _ when text.Length is < 10 or > 500 => $"{JustificationHeader} must be 10 to 500 characters.",
            _ when !Characters.IsOneLine(text) => $"{JustificationHeader} must be one line of text.",
            _ => null,
        };
        return refusal is null && given.Count == 1 ? text : null;
    }

    private static AccessRecord? RecordOf(HttpContext http, HttpChain chain, AccessLoggedAttribute logged, string? justification)
    {
        var status = http.Response.StatusCode;
        var signedIn = http.User.Identity?.IsAuthenticated == true;
        var user = signedIn ? http.User.FindFirstValue(RegisterClaims.Name) ?? http.User.FindFirstValue(RegisterClaims.Subject) : ClaimedUser(http);
        if (user is null) return null;      // no token at all: nobody to record
        var (people, episodes) = http.Items[ReadKey] is (Guid[] p, Guid[] e) ? (p, e) : ([], []);
        var caller = signedIn ? Caller.From(http) : null;
        return new AccessRecord
        {
            User = user.Length > 200 ? user[..200] : user,
            UserVerified = signedIn,
            Role = caller?.Role,
            Agency = caller?.Agency,
            Action = status is >= 200 and < 300 ? logged.Disclosure ? "disclosure" : "consultation" : "refused",
            Endpoint = $"{http.Request.Method} {chain.RoutePattern?.RawText}",
            Query = http.Request.QueryString.Value is { Length: > 0 } q ? q[..Math.Min(q.Length, 500)] : null,
            PersonIds = [.. people.Concat(RouteId(http, "personId")).Distinct()],
            EpisodeIds = [.. episodes.Concat(RouteId(http, "episodeId")).Distinct()],
            Justification = justification,
            Recipient = logged.Disclosure ? Recipient(http) : null,
            ClientAddress = http.Connection.RemoteIpAddress?.ToString(),
            CorrelationId = CorrelationId.Of(http),
            Outcome = status,
        };
    }

    /// <summary>Who a disclosure went to, as asked; a value the request was refused for (a NUL, say) is recorded as absent.</summary>
    private static string? Recipient(HttpContext http) =>
        http.Request.Query["recipient"].ToString().Trim() is { Length: > 0 and <= 200 } recipient && Characters.IsOneLine(recipient) ? recipient : null;

    private static IEnumerable<Guid> RouteId(HttpContext http, string name) =>
        http.Request.RouteValues.TryGetValue(name, out var value) && Guid.TryParse(value?.ToString(), out var id) ? [id] : [];

    /// <summary>The user a refused token names (read, not trusted: recorded as unverified), so an attempt with it is on record.</summary>
    private static string? ClaimedUser(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var token = new JsonWebToken(header["Bearer ".Length..].Trim());
            var name = token.Claims.FirstOrDefault(c => c.Type is RegisterClaims.Name or RegisterClaims.Subject)?.Value;
            return name is { Length: > 0 } && Characters.IsOneLine(name) ? name : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
