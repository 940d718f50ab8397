using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.People.Merging;

/// <summary>An analyst decides that this person record and another are one person: this one is merged into the other.</summary>
public sealed record MergePeople(Guid MessageId, Guid IntoPersonId, string? Rationale) : ICommand;

public sealed record Merge(Guid IntoPersonId, string Rationale);

public static class MergePeopleEndpoint
{
    public static (Merge?, ProblemDetails) Validate(MergePeople? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        var into = fields.Id(nameof(command.IntoPersonId), command.IntoPersonId);
        var rationale = Linking.Rationale(fields, command.Rationale);
        return fields.Then(() => new Merge(into, rationale));
    }

    /// <remarks>
    /// The record's link stream does not exist before its first merge: <c>Required = false</c> passes null rather than
    /// answering 404, and appending the merge starts the stream (and its inline <see cref="PersonLink"/>).
    /// </remarks>
    [WolverinePost("/api/people/{personId}/merge", OperationId = "MergePeople")]
    [Authorize(Policy = Policies.PersonMerger)]
    [ProducesResponseType<PersonLinked>(StatusCodes.Status200OK)]
    public static async Task<(IResult, Events)> Post(MergePeople command, Merge merge, Guid personId,
        [WriteAggregate("personId", Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] PersonLink? link,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct)
    {
        var facts = await Linking.Read(session, personId, merge.IntoPersonId, ct);
        if (!facts.Exists(personId)) return (Linking.UnknownPerson(personId), []);
        var decision = Decide(personId, link, facts, merge, ledger.Now);
        return await Linking.Respond(decision, command, personId, link, caller, ledger, session, ct);
    }

    /// <summary>
    /// Links are stored one hop deep: a merge into a record that is itself merged goes to that record's survivor, and a
    /// record that others are merged into is not merged away until they are unmerged (or its links would form chains).
    /// </summary>
    public static Decision Decide(Guid personId, PersonLink? link, LinkFacts facts, Merge merge, DateTimeOffset now)
    {
        var root = facts.SurvivorOf(merge.IntoPersonId) ?? merge.IntoPersonId;
        var dependents = facts.MergedInto(personId);
        Refusal?[] checks =
        [
            Linking.Unchanged(personId, link, facts),
            merge.IntoPersonId == personId || root == personId
                ? new(RefusalKind.Unprocessable, "Not into itself", $"Person record {personId} cannot be merged into itself.")
                : null,
            !facts.Exists(merge.IntoPersonId)
                ? new(RefusalKind.Unprocessable, "Unknown person",
                    $"intoPersonId {merge.IntoPersonId} is no person record in the register.")
                : null,
            link?.SurvivorId is { } survivor
                ? new(RefusalKind.Conflict, "Already merged",
                    $"Person record {personId} is already merged into {survivor}. Unmerge it first, then merge it again.")
                : null,
            dependents.Count > 0
                ? new(RefusalKind.Conflict, "Others are merged into this record",
                    $"Person record {personId} has {dependents.Count} record(s) merged into it: {string.Join(", ", dependents)}. " +
                    "Unmerge those first, or merge the other record into this one instead.")
                : null,
        ];
        return checks.FirstOrDefault(c => c is not null) is { } refusal
            ? refusal
            : Decision.Accept(new PeopleMerged(personId, root, merge.Rationale, now));
    }
}
