using IEvent = JasperFx.Events.IEvent;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Infrastructure.Http;
using NationalRegister.Reference;
using Wolverine.Http;
using Wolverine.Marten;

namespace NationalRegister.Episodes.Correcting;

/// <summary>
/// The owning force corrects an earlier fact of its episode: what is corrected (<c>corrects</c>), its corrected value and
/// why. A retraction (<c>corrects: "retraction"</c>, <c>retracts</c>: the event's version) takes back an event recorded in
/// error. Each is a new event: nothing recorded is ever edited (MoPI: records are accurate, and their history kept).
/// </summary>
public sealed record CorrectEpisode(Guid MessageId, long? ExpectedVersion, string? Corrects, string? Value, long? Retracts, string? Reason)
    : IAppendCommand;

public enum Corrected { LastSeenAt, GivenName, FamilyName, DateOfBirth, Sex, LocalAuthority, ForceSubjectId, Retraction }

/// <summary>The correction once its fields are read: one of the typed values, by what is corrected.</summary>
public sealed record Correction(Corrected What, string Reason, DateTimeOffset? At = null, DateOnly? Date = null, string? Text = null, long? Version = null);

public static class CorrectEpisodeEndpoint
{
    /// <summary>What may be retracted: facts that count in the episode's views; a report, a find or a closure is corrected instead.</summary>
    private static readonly string[] Retractable = ["sighting_recorded", "risk_assessed", "episode_reviewed"];

    public static (Correction?, ProblemDetails) Validate(CorrectEpisode? command, ReferenceData reference)
    {
        if (command is null) return (null, FieldErrors.MissingBody());
        var fields = new FieldErrors();
        fields.Id(nameof(command.MessageId), command.MessageId);
        fields.NonNegative(nameof(command.ExpectedVersion), command.ExpectedVersion);
        var what = fields.OneOf<Corrected>(nameof(command.Corrects), command.Corrects);
        var reason = fields.Text(nameof(command.Reason), command.Reason, 2000, freeText: true);
        if (reason.Length is > 0 and < 10) fields.Add(nameof(command.Reason), "must be at least 10 characters: say why.");
        if (what != Corrected.Retraction && command.Retracts is not null) fields.Add(nameof(command.Retracts), "is only for a retraction.");
        var correction = what switch
        {
            _ when fields.Any => null,
            Corrected.Retraction => command.Retracts is > 0
                ? new Correction(what, reason, Version: command.Retracts)
                : Noted(fields, nameof(command.Retracts), "is required for a retraction: the version of the event recorded in error."),
            _ when command.Value is null => Noted(fields, nameof(command.Value), "is required: the corrected value."),
            Corrected.LastSeenAt => DateTimeOffset.TryParse(command.Value, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var at) && command.Value.Contains('T')
                ? new Correction(what, reason, At: fields.Instant(nameof(command.Value), at))
                : Noted(fields, nameof(command.Value), "must be a date and time with its offset (ISO 8601, e.g. 2026-11-20T16:30:00Z)."),
            Corrected.DateOfBirth => DateOnly.TryParseExact(command.Value, "yyyy-MM-dd", out var date)
                ? new Correction(what, reason, Date: fields.Date(nameof(command.Value), date))
                : Noted(fields, nameof(command.Value), "must be a date (yyyy-mm-dd)."),
            Corrected.LocalAuthority => reference.LocalAuthorityField(fields, nameof(command.Value), command.Value) is { } code
                ? new Correction(what, reason, Text: code)
                : null,
            _ => new Correction(what, reason, Text: fields.Text(nameof(command.Value), command.Value, what == Corrected.Sex ? 50 : 200)),
        };
        return fields.Then(() => correction!);
    }

    public static Task<IResult> Before(CorrectEpisode command, Episode episode, Caller caller, IDocumentSession session, CancellationToken ct) =>
        Appending.Admit(command, episode, EpisodeAccess.IsOwningForce(caller, episode), caller, session, ct);

    [WolverinePost("/api/episodes/{episodeId}/corrections", OperationId = "CorrectEpisode")]
    [Authorize(Policy = Policies.ForceWriter)]
    [ProducesResponseType<EpisodeAppended>(StatusCodes.Status200OK)]
    public static async Task<(IResult, Events)> Post(CorrectEpisode command, Correction correction,
        [WriteAggregate(LoadStyle = ConcurrencyStyle.Exclusive)] Episode episode,
        Caller caller, CommandLedger ledger, IDocumentSession session, CancellationToken ct)
    {
        // A retraction is decided against the stream itself: which event it names, and what the episode is without it.
        var stream = correction.What == Corrected.Retraction ? await session.Events.FetchStreamAsync(episode.Id, token: ct) : [];
        return await Appending.Respond(Decide(episode, correction, stream, caller.Agency, ledger.Now), command, episode, caller, ledger, session, ct);
    }

    public static Decision Decide(Episode episode, Correction correction, IReadOnlyList<IEvent> stream, string force, DateTimeOffset now)
    {
        var person = episode.Person ?? new PersonDetails("", "", "", default, "");
        return correction.What switch
        {
            Corrected.LastSeenAt => EpisodeRules.FirstRefusalOr(
                [
                    Unchanged(correction.At == episode.LastSeenAt, "lastSeenAt"),
                    EpisodeRules.NotInFuture("value", correction.At!.Value, now),
                    EpisodeRules.NotBefore("reportedAt", episode.ReportedAt, "the corrected lastSeenAt", correction.At.Value),
                    episode.FoundAt is { } found ? EpisodeRules.NotBefore("foundAt", found, "the corrected lastSeenAt", correction.At.Value) : null,
                ],
                () => Decision.Accept(new LastSeenCorrected(episode.LastSeenAt, correction.At.Value, correction.Reason, now))),
            Corrected.LocalAuthority => EpisodeRules.FirstRefusalOr([Unchanged(correction.Text == episode.LocalAuthority, "localAuthority")],
                () => Decision.Accept(new LocalAuthorityCorrected(episode.LocalAuthority, correction.Text!, correction.Reason, now))),
            Corrected.ForceSubjectId => Relink(episode, person, correction, force, now),
            Corrected.Retraction => Retract(episode, correction, stream, now),
            _ => Details(episode, person, correction, now),
        };
    }

    private static Decision Details(Episode episode, PersonDetails person, Correction correction, DateTimeOffset now)
    {
        var corrected = correction.What switch
        {
            Corrected.GivenName => person with { GivenName = correction.Text! },
            Corrected.FamilyName => person with { FamilyName = correction.Text! },
            Corrected.Sex => person with { Sex = correction.Text! },
            _ => person with { DateOfBirth = correction.Date!.Value },
        };
        return EpisodeRules.FirstRefusalOr(
            [
                Unchanged(corrected == person, JsonName(correction.What)),
                corrected.DateOfBirth.ToDateTime(TimeOnly.MinValue) > episode.LastSeenAt.UtcDateTime
                    ? new Refusal(RefusalKind.Unprocessable, "Born after last seen", "The corrected dateOfBirth is after lastSeenAt.")
                    : null,
            ],
            () => Decision.Accept(new PersonDetailsCorrected(episode.PersonId, person, corrected, correction.Reason, now)));
    }

    private static Decision Relink(Episode episode, PersonDetails person, Correction correction, string force, DateTimeOffset now)
    {
        var to = PersonIdentity.Of(force, correction.Text!);
        return EpisodeRules.FirstRefusalOr([Unchanged(to == episode.PersonId, "forceSubjectId")],
            () => Decision.Accept(new EpisodeRelinked(episode.PersonId, to, force, person with { ForceSubjectId = correction.Text! },
                episode.LastSeenAt, correction.Reason, now)));
    }

    private static Decision Retract(Episode episode, Correction correction, IReadOnlyList<IEvent> stream, DateTimeOffset now)
    {
        var version = correction.Version!.Value;
        if (stream.FirstOrDefault(e => e.Version == version) is not { } target)
            return new Refusal(RefusalKind.Unprocessable, "No such event", $"Episode {episode.Id} has no event at version {version}.");
        if (!Retractable.Contains(target.EventTypeName))
            return new Refusal(RefusalKind.Unprocessable, "Not retractable",
                "Only a sighting, a risk assessment or a review can be retracted; a report, a find or a closure is corrected instead.");
        if (episode.Retracted.Contains(version))
            return new Refusal(RefusalKind.Conflict, "Already retracted", $"The event at version {version} was retracted before.");

        // The episode's counts and grades without every retracted event, this one included.
        HashSet<long> retracted = [.. episode.Retracted, version];
        var kept = stream.Where(e => !retracted.Contains(e.Version)).Select(e => e.Data).ToList();
        var grades = kept.OfType<RiskAssessed>().Select(a => a.Level).ToList();
        var reviews = kept.OfType<EpisodeReviewed>().ToList();
        return Decision.Accept(new EventRetracted(version, target.EventTypeName, correction.Reason, now, kept.OfType<SightingRecorded>().Count(),
            grades.Count, grades.Count > 0 ? grades[^1] : null, grades.Count > 0 ? grades.Max() : null, reviews.LastOrDefault()?.ReviewedAt,
            reviews.LastOrDefault()?.NextReviewDue));
    }

    private static Refusal? Unchanged(bool same, string field) => same
        ? new Refusal(RefusalKind.Unprocessable, "Nothing to correct", $"The episode already records that {field}.")
        : null;

    private static Correction? Noted(FieldErrors fields, string field, string error)
    {
        fields.Add(field, error);
        return null;
    }

    private static string JsonName(Corrected what) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(what.ToString());
}
