using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Commands;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Http;

/// <summary>Every refusal the register gives, as an RFC 9457 problem detail.</summary>
public static class Problems
{
    public static IResult From(Refusal refusal) => Problem(
        refusal.Kind switch { RefusalKind.Conflict => StatusCodes.Status409Conflict, _ => StatusCodes.Status422UnprocessableEntity },
        refusal.Title, refusal.Detail);

    public static IResult NotFound(string what, Guid id) =>
        Problem(StatusCodes.Status404NotFound, $"Unknown {what}", $"No {what} has id {id}.");

    public static IResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Not yours to see or change", detail);

    public static IResult VersionConflict(Guid streamId, long expected, long current) =>
        Results.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Version conflict",
            Detail = $"Episode {streamId} is at version {current}, not the expected version {expected}. " +
                     "Read the episode again, then retry with its current version.",
            Extensions = { ["currentVersion"] = current, ["expectedVersion"] = expected },
        });

    public static IResult MessageIdReused(Guid messageId) => Problem(StatusCodes.Status409Conflict,
        "messageId already used for a different command",
        $"messageId {messageId} was already processed with a different body. A messageId is a permanent idempotency key: " +
        "send a new messageId for a new command, or resend the original body unchanged.");

    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });
}

/// <summary>Field checks for a command body, collected into one 400 with every error at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];
    private string? _detail;

    public FieldErrors Add(string field, string error)
    {
        var key = JsonNamingPolicy.CamelCase.ConvertName(field);
        if (!_errors.TryGetValue(key, out var list)) _errors[key] = list = [];
        list.Add(error);
        return this;
    }

    /// <summary>The problem's detail when one error deserves to be the headline (e.g. "absent" refused).</summary>
    public FieldErrors Headline(string detail)
    {
        _detail ??= detail;
        return this;
    }

    public FieldErrors Required(string field, Guid value) => value == Guid.Empty ? Add(field, "is required.") : this;

    public FieldErrors Required(string field, string? value, int maxLength = 500) =>
        string.IsNullOrWhiteSpace(value) ? Add(field, "is required.")
        : value.Length > maxLength ? Add(field, $"must be at most {maxLength} characters.")
        : this;

    public FieldErrors Required<T>(string field, T? value) where T : struct => value is null ? Add(field, "is required.") : this;

    public FieldErrors Optional(string field, string? value, int maxLength = 500) =>
        value is { Length: var n } && n > maxLength ? Add(field, $"must be at most {maxLength} characters.") : this;

    public FieldErrors NonNegative(string field, long? value) => value < 0 ? Add(field, "must be 0 or more.") : this;

    public FieldErrors OneOf<TEnum>(string field, string? value) where TEnum : struct, Enum =>
        string.IsNullOrWhiteSpace(value) ? Add(field, "is required.")
        : Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _) ? this
        : Add(field, $"'{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");

    public static ProblemDetails MissingBody() => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "Request body is required",
        Detail = "Send the command as a JSON object in the request body.",
    };

    public ProblemDetails ToProblem() => _errors.Count == 0
        ? WolverineContinue.NoProblems
        : new HttpValidationProblemDetails(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The command is not valid",
            Detail = _detail ?? "One or more fields are missing or invalid; see errors.",
        };
}
