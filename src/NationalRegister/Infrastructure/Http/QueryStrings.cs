using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Http;

/// <summary>
/// Reads every query string before Wolverine does, as <see cref="CommandBodies"/> reads bodies: only the parameters the
/// endpoint declares, each given once, one line of bounded text, and of its kind (a whole number, a date). Whatever is
/// wrong is one 400 that names the parameter in the API's words, never a .NET type, and no value reaches the database.
/// </summary>
public static class QueryStrings
{
    public const int MaxLength = 200;

    private static readonly ConcurrentDictionary<HttpChain, IReadOnlyDictionary<string, Type>> Declared = new();

    public static IApplicationBuilder UseQueryStrings(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Query.Count > 0 && http.GetEndpoint()?.Metadata.GetMetadata<HttpChain>() is { } chain
            && Check(http.Request.Query, Declared.GetOrAdd(chain, ParametersOf)) is { } problem)
        {
            await problem.ExecuteAsync(http);
            return;
        }

        await next(http);
    });

    /// <summary>The query parameters the endpoint declares, as its OpenAPI description gives them.</summary>
    private static IReadOnlyDictionary<string, Type> ParametersOf(HttpChain chain) =>
        chain.CreateApiDescription(chain.HttpMethods.First()).ParameterDescriptions
            .Where(p => p.Source == BindingSource.Query)
            .GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => Nullable.GetUnderlyingType(g.First().Type) ?? g.First().Type, StringComparer.OrdinalIgnoreCase);

    private static IResult? Check(IQueryCollection query, IReadOnlyDictionary<string, Type> declared)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, values) in query)
        {
            if (!declared.TryGetValue(name, out var type))
            {
                errors[Printable(name)] = [declared.Count == 0
                    ? "is not a parameter of this endpoint, which takes none."
                    : $"is not a parameter of this endpoint; it takes {string.Join(", ", declared.Keys.Order(StringComparer.Ordinal))}."];
                continue;
            }

            var error = values.Count > 1 ? "is given more than once: give it once."
                : values.ToString() is var value && (value.Length > MaxLength || !Characters.IsOneLine(value))
                    ? $"must be one line of text of at most {MaxLength} characters, without control or layout characters."
                : value.Length == 0 ? null
                : Kind(type, value);
            if (error is not null) errors[name] = [error];
        }

        return errors.Count == 0
            ? null
            : Results.ValidationProblem(errors, title: "Invalid query string",
                detail: string.Join(" ", errors.Select(e => $"{e.Key} {e.Value[0]}")));
    }

    private static string? Kind(Type type, string value) => type switch
    {
        _ when type == typeof(int) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null
            : long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? "is too large a number."
            : "must be a whole number.",
        // Strictly yyyy-mm-dd, from 1900: a register of the living has nothing before, and "12/01/2026" means two dates.
        _ when type == typeof(DateOnly) => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.Year is >= 1900 and <= 2999 ? null : "must be a date from 1900 to 2999."
            : "must be a date (yyyy-mm-dd).",
        _ when type == typeof(long) => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null
            : "must be a whole number.",
        _ when type == typeof(Guid) => Guid.TryParseExact(value, "D", out _) ? null : "must be a uuid (e.g. 7a1e0c3e-0000-4000-8000-000000000001).",
        // An instant with its offset, from 1900: "2026-11-20T16:30:00Z".
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                && value.Contains('T') && at.Year is >= 1900 and <= 2999
            ? null
            : "must be a date and time with its offset (ISO 8601, e.g. 2026-11-20T16:30:00Z).",
        _ when type == typeof(string) => null,
        _ => "is not a parameter this register reads.",
    };

    /// <summary>A parameter name as an error may repeat it: one line, bounded.</summary>
    private static string Printable(string name) =>
        name.Length <= 50 && Characters.IsOneLine(name) ? name : "a parameter";
}
