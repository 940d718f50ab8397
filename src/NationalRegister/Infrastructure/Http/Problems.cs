using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Http;

/// <summary>Every refusal the register gives, as an RFC 9457 problem detail.</summary>
public static class Problems
{
    public static IResult NotFound(string what, Guid id) =>
        Problem(StatusCodes.Status404NotFound, $"Unknown {what}", $"No {what} has id {id}.");

    /// <summary>What the caller may not do, and never whose record it is or what it holds (need to know, MoPI).</summary>
    public static IResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Not yours to see or change", detail);

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = extensions ?? new Dictionary<string, object?>() });

    /// <summary>A problem written straight to the response, outside an endpoint (authentication, middleware).</summary>
    public static async Task Write(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http, ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>
/// Every problem is written as application/problem+json, whatever the request's Accept header: ASP.NET's own writer
/// declines a client that asked only for text/csv, and its 401s and 403s then went out as text/plain. Registered before
/// ASP.NET's writer, so the status code pages, the exception handler and every endpoint's problems come through here.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        // As ASP.NET types the problems endpoints return (RFC 9110's section on each status), for those written here directly.
        problem.Type ??= problem.Status switch
        {
            StatusCodes.Status401Unauthorized => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            StatusCodes.Status403Forbidden => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
            StatusCodes.Status404NotFound => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            StatusCodes.Status405MethodNotAllowed => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
            StatusCodes.Status500InternalServerError => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
            _ => null,
        };
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json",
            http.RequestAborted));
    }
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

    /// <summary>
    /// Required text, trimmed. Single-line fields (names, references, codes) refuse tabs and line breaks as well as
    /// control characters; free text (circumstances, rationales, summaries) keeps its paragraphs.
    /// </summary>
    public string Text(string field, string? value, int maxLength = 500, bool freeText = false)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, "is required.");
        else Check(field, value, maxLength, freeText);
        return value?.Trim() ?? "";
    }

    /// <summary>Optional text, trimmed; blank is absent.</summary>
    public string? OptionalText(string field, string? value, int maxLength = 500)
    {
        if (value is not null) Check(field, value, maxLength, freeText: false);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>A list of free-text entries, each non-empty, at most <paramref name="maxItems"/> of them.</summary>
    public IReadOnlyList<string> Texts(string field, IReadOnlyList<string?>? values, int maxItems, int maxLength)
    {
        values ??= [];
        if (values.Count > maxItems) Add(field, $"may hold at most {maxItems} entries.");
        else if (values.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > maxLength || Characters.HasControl(v)))
            Add(field, $"each entry must be non-empty text of at most {maxLength} characters, without control characters.");
        return [.. values.Select(v => v?.Trim() ?? "")];
    }

    /// <summary>An instant no earlier than 1900: a register of the living has nothing before that.</summary>
    public DateTimeOffset Instant(string field, DateTimeOffset? value)
    {
        if (value is null) Add(field, "is required.");
        else if (value < Earliest) Add(field, "must be after 1900-01-01.");
        return value.GetValueOrDefault();
    }

    public DateOnly Date(string field, DateOnly? value)
    {
        if (value is null) Add(field, "is required.");
        else if (value < DateOnly.FromDateTime(Earliest.UtcDateTime)) Add(field, "must be after 1900-01-01.");
        return value.GetValueOrDefault();
    }

    private static readonly DateTimeOffset Earliest = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private void Check(string field, string value, int maxLength, bool freeText)
    {
        if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters.");
        else if (freeText ? Characters.HasControl(value) : !Characters.IsOneLine(value))
            Add(field, freeText ? "must not contain control characters." : "must be one line, without tabs, line breaks, control or layout characters.");
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
            Add(field, $"is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
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
