using System.Security.Claims;
using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;
using Wolverine.Http;

namespace NationalRegister.Messages;

/// <summary>
/// Many commands in one request, for a force's backfill or a supplier's queue: each message is what one of the single
/// endpoints takes, with its type, and each gets that endpoint's answer (accepted, or refused with the same problem),
/// in the order sent. A refused message never holds up the rest; an accepted one is committed whatever becomes of the
/// others or of the connection, and sending the batch again replays every accepted answer by its messageId.
/// </summary>
public static class PostMessagesEndpoint
{
    public const string NdJson = "application/x-ndjson";

    /// <summary>A JSON array of messages gets a JSON object back; NDJSON (one message per line) gets a line per result.</summary>
    [WolverinePost("/api/messages", OperationId = "PostMessages")]
    [Authorize(Policy = Policies.AnyRole)]
    [ProducesResponseType<BatchResults>(StatusCodes.Status200OK)]
    public static async Task<IResult> Post(HttpContext http, MessageBatch batch, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct)
    {
        var options = json.Value.SerializerOptions;
        var ndjson = http.Request.ContentType?.StartsWith(NdJson, StringComparison.OrdinalIgnoreCase) == true;
        if (!ndjson && http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported batch format",
                $"Send a JSON array of messages as application/json, or one message per line as {NdJson}.");
        }

        var user = http.User;
        var lines = ndjson ? MessageBatch.ReadLines(http.Request.Body, options, 1, ct) : MessageBatch.ReadArray(http.Request.Body, options, ct);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ndjson ? NdJson : "application/json";
        // Over the response's pipe, so the writer never writes synchronously to the connection.
        var body = http.Response.BodyWriter;
        await using var output = new Utf8JsonWriter(body);
        var (accepted, refused) = (0, 0);
        if (!ndjson)
        {
            output.WriteStartObject();
            output.WriteStartArray("results");
        }

        await batch.Run(lines, _ => user, CorrelationId.Of(http), Parallelism, async result =>
        {
            if (result.Accepted) accepted++;
            else refused++;
            JsonSerializer.Serialize(output, result, options);
            if (ndjson)
            {
                output.Flush();
                output.Reset();
                body.Write("\n"u8);
            }
            else output.Flush();
            if (body.UnflushedBytes > 16 * 1024 || ndjson) await body.FlushAsync(ct);
        }, ct);

        if (!ndjson)
        {
            output.WriteEndArray();
            output.WriteNumber("accepted", accepted);
            output.WriteNumber("refused", refused);
            output.WriteEndObject();
            output.Flush();
        }

        return Results.Empty; // written above, result by result
    }

    /// <summary>Episodes of one batch written side by side; one episode's messages always one after another.</summary>
    private const int Parallelism = 4;
}

/// <summary>The answer to a JSON array: a result per message, in the order sent, and the counts.</summary>
public sealed record BatchResults(IReadOnlyList<MessageResult> Results, int Accepted, int Refused);
