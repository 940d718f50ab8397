using Marten;
using Microsoft.AspNetCore.Diagnostics;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>
/// A commit that meets a unique key (the messageId record, or a stream id that exists) rolled back everything: it is a
/// replay, the same command racing itself, a messageId reused for another command, or a stream id already taken.
/// The records tell which, and the request gets the answer the contract promises instead of a 500.
/// </summary>
public sealed class DuplicateCommandHandler(IDocumentStore store) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDuplicate(exception) || CommandLedger.PendingIn(httpContext) is not { } pending) return false;

        await using var session = store.QuerySession();
        var earlier = await session.LoadAsync<ProcessedCommand>(pending.Id, cancellationToken);
        var answer = earlier switch
        {
            null => Problems.Problem(StatusCodes.Status409Conflict, "Already exists",
                $"{pending.StreamId} already exists; choose another id or leave it out to have one assigned."),
            _ when earlier.Fingerprint == pending.Fingerprint => earlier.Answer(),
            _ => CommandLedger.MessageIdReused(pending.MessageId),
        };
        await answer.ExecuteAsync(httpContext);
        return true;
    }

    private static bool IsDuplicate(Exception e) =>
        e is JasperFx.DocumentAlreadyExistsException
            or JasperFx.Events.ExistingStreamIdCollisionException
            or Marten.Exceptions.ExistingStreamIdCollisionException
        || e.InnerException is { } inner && IsDuplicate(inner);
}
