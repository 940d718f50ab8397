using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>
/// The messageId contract for one request, on the session Wolverine manages (so the record commits with the events
/// and the outbox, or not at all). The happy path pays nothing: a record is only read when the command was refused,
/// its expected version was stale, or its commit hit a unique key (<see cref="DuplicateCommandHandler"/>).
/// </summary>
public sealed class CommandLedger(IHttpContextAccessor http, TimeProvider clock, IOptions<JsonOptions> json)
{
    private static readonly object PendingKey = new();

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>
    /// Accepts a command: stamps the events with who, for whom, under which request and because of which message
    /// (DPA 2018 s62 logging), records the answer under the agency's messageId and returns it.
    /// </summary>
    public IResult Accept(IDocumentSession session, Caller caller, ICommand command, Guid streamId, object response,
        int status = StatusCodes.Status200OK, string? location = null)
    {
        session.CorrelationId = caller.CorrelationId;
        session.CausationId = command.MessageId.ToString();
        session.LastModifiedBy = caller.User;
        session.SetHeader(EventHeaders.Agency, caller.Agency);
        session.SetHeader(EventHeaders.Role, caller.Role);

        var processed = Record(caller, command, streamId, response, status, location);
        session.Insert(processed);
        // If the commit then meets a unique key (a replay, or the same command racing itself), this is what it is compared with.
        if (http.HttpContext is { } context) context.Items[PendingKey] = processed;
        return processed.Answer();
    }

    /// <summary>The record of an accepted command: its key, its fingerprint and the answer it got.</summary>
    public ProcessedCommand Record(Caller caller, ICommand command, Guid streamId, object response, int status = StatusCodes.Status200OK,
        string? location = null) =>
        new(ProcessedCommand.KeyOf(caller.Agency, command.MessageId), command.MessageId, caller.Agency,
            ProcessedCommand.FingerprintOf(streamId, command), streamId, status, location,
            JsonSerializer.Serialize(response, response.GetType(), json.Value.SerializerOptions), clock.GetUtcNow());

    /// <summary>The original answer when this agency sent this messageId before with this very command; 409 when with another.</summary>
    public static async Task<IResult?> Replay(IQuerySession session, Caller caller, ICommand command, Guid streamId, CancellationToken ct)
    {
        var earlier = await session.LoadAsync<ProcessedCommand>(ProcessedCommand.KeyOf(caller.Agency, command.MessageId), ct);
        if (earlier is null) return null;
        return earlier.Fingerprint == ProcessedCommand.FingerprintOf(streamId, command) ? earlier.Answer() : MessageIdReused(command.MessageId);
    }

    internal static ProcessedCommand? PendingIn(HttpContext context) => context.Items[PendingKey] as ProcessedCommand;

    public static IResult MessageIdReused(Guid messageId) => Problems.Problem(StatusCodes.Status409Conflict,
        "messageId already used for a different command",
        $"messageId {messageId} was already processed with a different body. A messageId is a permanent idempotency key: " +
        "send a new messageId for a new command, or resend the original body unchanged.");
}

public static class EventHeaders
{
    public const string Agency = "agency";
    public const string Role = "role";
}
