using System.Collections.Frozen;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Messages;

/// <summary>
/// Sends one message of a batch through the very endpoint that takes it alone: the same body checks
/// (<see cref="CommandBodies"/>), the same role policy, the same Validate, ownership and version checks, the same decider,
/// messageId ledger, chained events and transaction, so a batch can never be a way round a rule. Each message commits
/// on its own: an accepted message is in the register whatever happens to the rest, and sending it again replays its answer.
/// </summary>
public sealed partial class MessageDispatcher
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IAuthorizationService _authorization;
    private readonly IAuthorizationPolicyProvider _policies;
    private readonly IHttpContextAccessor _accessor;
    private readonly ILogger<MessageDispatcher> _logger;
    private readonly Lazy<FrozenDictionary<string, RouteEndpoint>> _endpoints;

    public MessageDispatcher(EndpointDataSource endpoints, IServiceScopeFactory scopes, IAuthorizationService authorization,
        IAuthorizationPolicyProvider policies, IHttpContextAccessor accessor, ILogger<MessageDispatcher> logger)
    {
        (_scopes, _authorization, _policies, _accessor, _logger) = (scopes, authorization, policies, accessor, logger);
        // Every POST whose body is a command, by the command's name: ReportMissing, AssessRisk, RecordFound, ...
        _endpoints = new(() => endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Chain: e.Metadata.GetMetadata<HttpChain>()))
            .Where(e => e.Chain is { RequestType: { } type } && typeof(ICommand).IsAssignableFrom(type) && e.Chain.HttpMethods.Contains("POST"))
            .ToFrozenDictionary(e => e.Chain!.RequestType!.Name, e => e.Endpoint, StringComparer.Ordinal));
    }

    public IReadOnlyCollection<string> Types => _endpoints.Value.Keys;

    public async Task<MessageResult> Send(int index, BatchMessage message, ClaimsPrincipal user, string correlationId, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = user, RequestAborted = ct };
        var answer = new MemoryStream();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(answer));
        http.Items[CorrelationId.Header] = correlationId;
        // The endpoint's ledger finds its request through the accessor: each message is a request of its own.
        _accessor.HttpContext = http;
        try
        {
            var refusal = Refusal(message, user, out var endpoint);
            if (refusal is null)
            {
                Route(http, endpoint!, message);
                if (!await MaySend(endpoint!, user, http))
                    refusal = Problems.Problem(StatusCodes.Status403Forbidden, "Forbidden", $"This caller's role may not send {message.Type}.");
                else
                {
                    var chain = endpoint!.Metadata.GetMetadata<HttpChain>()!;
                    refusal = await CommandBodies.Check(http, chain.RequestType!) ?? EarlyValidation.Check(http, chain);
                }
            }

            if (refusal is not null) await refusal.ExecuteAsync(http);
            else await Handle(endpoint!, http, scope.ServiceProvider, index, message);
        }
        finally
        {
            _accessor.HttpContext = null;
        }

        return new MessageResult(index, message.Type, message.MessageId, http.Response.StatusCode,
            http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
            answer.Length == 0 ? null : JsonSerializer.Deserialize<JsonElement>(answer.ToArray()));
    }

    /// <summary>Whether the caller's role may send this type at all: the endpoint's own policy, as its middleware applies it.</summary>
    public async Task<bool> MaySend(string type, ClaimsPrincipal user) =>
        _endpoints.Value.TryGetValue(type, out var endpoint) && await MaySend(endpoint, user, null);

    private async Task<bool> MaySend(RouteEndpoint endpoint, ClaimsPrincipal user, HttpContext? http)
    {
        var policy = await AuthorizationPolicy.CombineAsync(_policies, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>());
        return policy is null || (await _authorization.AuthorizeAsync(user, http, policy)).Succeeded;
    }

    private async Task Handle(RouteEndpoint endpoint, HttpContext http, IServiceProvider services, int index, BatchMessage message)
    {
        try
        {
            await endpoint.RequestDelegate!(http);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            http.Response.Clear();
            // As the exception handler middleware would: a replay that met the ledger's unique key gets its first answer.
            foreach (var handler in services.GetServices<IExceptionHandler>())
                if (await handler.TryHandleAsync(http, e, http.RequestAborted)) return;
            Failed(_logger, e, index, message.Type);
            http.Response.Clear();
            await Problems.Problem(StatusCodes.Status500InternalServerError, "The register could not process this message",
                "Nothing of it was recorded. Send it again: its messageId makes that safe.").ExecuteAsync(http);
        }
    }

    private static void Route(HttpContext http, RouteEndpoint endpoint, BatchMessage message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message.Message!.Value);
        http.Request.Method = HttpMethods.Post;
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream(body, writable: false);
        http.Request.ContentLength = body.Length;
        var path = endpoint.RoutePattern.RawText ?? "";
        foreach (var parameter in endpoint.RoutePattern.Parameters)
        {
            var value = RouteValue(message, parameter.Name)!.Value.ToString();
            http.Request.RouteValues[parameter.Name] = value;
            path = path.Replace($"{{{parameter.Name}}}", value, StringComparison.Ordinal);
        }

        http.Request.Path = path;
        http.SetEndpoint(endpoint);
    }

    internal IResult? Refusal(BatchMessage message, ClaimsPrincipal user, out RouteEndpoint? endpoint)
    {
        endpoint = null;
        if (message.Type is not { } type || !_endpoints.Value.TryGetValue(type, out endpoint))
            return Problems.Problem(StatusCodes.Status400BadRequest, "Unknown message type",
                $"type must be one of {string.Join(", ", _endpoints.Value.Keys.Order(StringComparer.Ordinal))}.");
        if (message.Message is not { ValueKind: JsonValueKind.Object })
            return Problems.Problem(StatusCodes.Status400BadRequest, "The command is not valid", "message must be the command's body, a JSON object.");
        foreach (var parameter in endpoint.RoutePattern.Parameters)
            if (RouteValue(message, parameter.Name) is not { } id || id == Guid.Empty)
                return Problems.Problem(StatusCodes.Status400BadRequest, "The command is not valid", $"{parameter.Name} is required for {type}.");
        if (message.Force is { } force && Caller.NormaliseForce(force) != Caller.NormaliseForce(user.FindFirstValue(RegisterClaims.Force))
            || message.LocalAuthority is { } authority && authority != user.FindFirstValue(RegisterClaims.LocalAuthority))
            return Problems.Forbidden("A message is sent for the caller's own force or local authority: leave force and localAuthority out, or name your own.");
        return null;
    }

    private static Guid? RouteValue(BatchMessage message, string parameter) => parameter == "personId" ? message.PersonId : message.EpisodeId;

    [LoggerMessage(LogLevel.Error, "Message {Index} ({Type}) of a batch failed")]
    private static partial void Failed(ILogger logger, Exception e, int index, string? type);
}
