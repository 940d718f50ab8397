using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.People.Merging;

/// <summary>An analyst reverses a merge: the record stands on its own again, and every count and view follows.</summary>
public sealed record UnmergePeople(Guid MessageId, string? Rationale) : ICommand;

public sealed record Unmerge(string Rationale);

public static class UnmergePeopleEndpoint
{
    public static (Unmerge?, ProblemDetails) Validate(UnmergePeople? command)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        var rationale = Linking.Rationale(fields, command.Rationale);
        return fields.Then(() => new Unmerge(rationale));
    }

    [WolverinePost("/api/people/{personId}/unmerge", OperationId = "UnmergePeople")]
    [Authorize(Policy = Policies.PersonMerger)]
    [ProducesResponseType<PersonLinked>(StatusCodes.Status200OK)]
    public static async Task<(IResult, Events)> Post(UnmergePeople command, Unmerge unmerge, Guid personId,
        [WriteAggregate("personId", Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] PersonLink? link,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct)
    {
        var facts = await Linking.Read(session, personId, null, ct);
        if (!facts.Exists(personId)) return (Linking.UnknownPerson(personId), []);
        var decision = Decide(personId, link, facts, unmerge, ledger.Now);
        return await Linking.Respond(decision, command, personId, link, caller, ledger, session, ct);
    }

    public static Decision Decide(Guid personId, PersonLink? link, LinkFacts facts, Unmerge unmerge, DateTimeOffset now)
    {
        if (Linking.Unchanged(personId, link, facts) is { } changed) return changed;
        if (link?.SurvivorId is { } survivor) return Decision.Accept(new PeopleUnmerged(personId, survivor, unmerge.Rationale, now));
        var dependents = facts.MergedInto(personId);
        return new Refusal(RefusalKind.Conflict, "Not merged",
            dependents.Count == 0
                ? $"Person record {personId} is not merged into another; there is nothing to unmerge."
                : $"Person record {personId} is the surviving record, not merged into another. To separate a record merged into it, " +
                  $"unmerge that record: {string.Join(", ", dependents)}.");
    }
}
