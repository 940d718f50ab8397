using System.Collections;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Http;

/// <summary>
/// Reads every command body before Wolverine does: bounded in size and depth, well-formed, free of control characters,
/// each field of the kind the command expects and no field it does not know. Whatever is wrong is one 400 (or 413) that
/// names the JSON field in JSON's words, never a .NET type, and nothing of the body reaches a log or the database.
/// </summary>
public static class CommandBodies
{
    /// <summary>A command is a few kilobytes; the longest (a return interview's disclosures) stays well under this.</summary>
    public const int MaxBytes = 256 * 1024;

    public const int MaxDepth = 16;

    public static IApplicationBuilder UseCommandBodies(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<HttpChain>() is not { RequestType: { } type } chain || type == typeof(void))
        {
            await next(http);
            return;
        }

        var problem = await Check(http, type) ?? EarlyValidation.Check(http, chain);
        if (problem is not null)
        {
            await problem.ExecuteAsync(http);
            return;
        }

        await next(http);
    });

    /// <summary>The body's problem, if it has one; the body is left readable for the endpoint.</summary>
    public static async Task<IResult?> Check(HttpContext http, Type type)
    {
        if (http.Request.ContentLength > MaxBytes) return TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return TooLarge();
            buffer.Write(chunk, 0, read);
        }

        var body = buffer.ToArray();
        http.Request.Body = new MemoryStream(body, writable: false);
        if (body.Length == 0) return null; // Validate answers "request body is required"

        return Inspect(body, type, http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
    }

    /// <summary>A body already read: its problem if it has one, else null.</summary>
    public static IResult? Inspect(byte[] body, Type type, JsonSerializerOptions json)
    {
        if (Scan(body) is { } scanned) return scanned;
        try
        {
            JsonSerializer.Deserialize(body, type, json);
            return null;
        }
        catch (JsonException e)
        {
            return Invalid(e.Path is { Length: > 1 } path ? Field(path) : null, Expected(type, e));
        }
    }

    /// <summary>Well-formed, not too deep, and no control character (but tab and line breaks) in any name or text.</summary>
    private static IResult? Scan(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        var path = new List<string>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString() ?? "";
                        if (Characters.HasControl(name)) return Invalid(null, "A field name contains a control character.");
                        if (path.Count > 0) path[^1] = name;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add("");
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.String when Characters.HasControl(reader.GetString() ?? ""):
                        return Invalid(string.Join('.', path.Where(p => p.Length > 0)),
                            "must not contain control characters (only tab and line breaks are allowed in text).");
                }
            }

            return null;
        }
        catch (JsonException e)
        {
            return reader.CurrentDepth >= MaxDepth - 1
                ? Invalid(null, $"The body nests deeper than {MaxDepth} levels; a command is a flat JSON object.")
                : Invalid(null, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        catch (InvalidOperationException)
        {
            return Invalid(string.Join('.', path.Where(p => p.Length > 0)), "contains an escape sequence that is not a character.");
        }
    }

    /// <summary>"$.person.dateOfBirth" as "person.dateOfBirth", "$.disclosures[2]" as "disclosures[2]".</summary>
    private static string Field(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Expected(Type type, JsonException e)
    {
        if (e.Path is not { Length: > 1 } path) return "The body must be a JSON object.";
        var segments = Field(path).Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        var target = type;
        foreach (var segment in segments)
        {
            target = segment.StartsWith('[') ? ElementOf(target)
                : target.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
            if (target is null) return "is not a field of this command.";
        }

        return $"must be {Describe(target)}.";
    }

    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(Guid) => "a uuid",
        var t when t == typeof(DateTimeOffset) => "a date and time with its offset (ISO 8601, e.g. 2026-11-20T16:30:00Z)",
        var t when t == typeof(DateOnly) => "a date (yyyy-mm-dd)",
        var t when t == typeof(long) || t == typeof(int) => "a whole number",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(string) => "text (a JSON string)",
        var t when typeof(IEnumerable).IsAssignableFrom(t) => "an array",
        _ => "a JSON object",
    };

    private static IResult Invalid(string? field, string error) => field is { Length: > 0 }
        ? Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] },
            detail: $"{field} {error}", title: "The command is not valid")
        : Problems.Problem(StatusCodes.Status400BadRequest, "The command is not valid", error);

    private static IResult TooLarge() => Problems.Problem(StatusCodes.Status413PayloadTooLarge, "The command is too large",
        $"A command body may be at most {MaxBytes / 1024} KB.");
}
