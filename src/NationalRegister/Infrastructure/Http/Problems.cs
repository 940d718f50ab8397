using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Http;

/// <summary>Every refusal the register gives, as an RFC 9457 problem detail.</summary>
public static class Problems
{
    public static IResult NotFound(string what, Guid id) =>
        Problem(StatusCodes.Status404NotFound, $"Unknown {what}", $"No {what} has id {id}.");

    public static IResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Not yours to see or change", detail);

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = extensions ?? new Dictionary<string, object?>() });
}

/// <summary>
/// Reads a command's fields once: each method returns the typed value (or a placeholder, with the error noted), so a
/// Validate method ends with either every error at once as one 400 or the command in typed form, never both.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];
    private string? _detail;

    public bool Any => _errors.Count > 0;

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

    public Guid Id(string field, Guid value)
    {
        if (value == Guid.Empty) Add(field, "is required.");
        return value;
    }

    /// <summary>Required text, trimmed.</summary>
    public string Text(string field, string? value, int maxLength = 500)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "is required.");
        else if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters.");
        return value?.Trim() ?? "";
    }

    /// <summary>Optional text, trimmed; blank is absent.</summary>
    public string? OptionalText(string field, string? value, int maxLength = 500)
    {
        if (value is { Length: var n } && n > maxLength) Add(field, $"must be at most {maxLength} characters.");
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>A required object that is absent: noted, and a placeholder returned so reading can go on.</summary>
    public T Missing<T>(string field, T placeholder)
    {
        Add(field, "is required.");
        return placeholder;
    }

    public T Required<T>(string field, T? value) where T : struct
    {
        if (value is null) Add(field, "is required.");
        return value.GetValueOrDefault();
    }

    public long? NonNegative(string field, long? value)
    {
        if (value < 0) Add(field, "must be 0 or more.");
        return value;
    }

    public TEnum OneOf<TEnum>(string field, string? value) where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "is required.");
        else if (!Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(value, out _))
            Add(field, $"'{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        else return parsed;
        return default;
    }

    /// <summary>The command in typed form when every field was valid, otherwise the 400 listing each error.</summary>
    public (T?, ProblemDetails) Then<T>(Func<T> typed) where T : class =>
        Any ? (null, ToProblem()) : (typed(), WolverineContinue.NoProblems);

    public static ProblemDetails MissingBody() => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "Request body is required",
        Detail = "Send the command as a JSON object in the request body.",
    };

    private HttpValidationProblemDetails ToProblem() => new(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()))
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The command is not valid",
        Detail = _detail ?? "One or more fields are missing or invalid; see errors.",
    };
}
