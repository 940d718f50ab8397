using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>
/// The permanent record that an agency's messageId was handled, written in the same transaction as the events it
/// produced, with the answer it got: a retry after a lost response gets that answer again and appends nothing.
/// Wolverine's inbox keeps handled ids for minutes and [DeduplicatedWithResponse] for a window, which is no substitute.
/// </summary>
public sealed record ProcessedCommand(
    Guid Id,
    Guid MessageId,
    string Agency,
    string Fingerprint,
    Guid StreamId,
    int Status,
    string? Location,
    string Response,
    DateTimeOffset ProcessedAt)
{
    private static readonly Guid KeyNamespace = new("0d7c4e2a-91b3-5f60-8a4d-2e6b1c9f7a35");

    /// <summary>One agency's messageId never blocks or answers another's: the key is the pair.</summary>
    public static Guid KeyOf(string agency, Guid messageId) => NameBasedId.Create(KeyNamespace, $"{agency}\n{messageId:D}");

    /// <summary>Same key, same command: the fingerprint covers the target stream and the whole body.</summary>
    public static string FingerprintOf(Guid streamId, ICommand command)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(command, command.GetType());
        return Convert.ToHexString(SHA256.HashData([.. streamId.ToByteArray(), .. body]));
    }

    public IResult Answer() => new RecordedAnswer(Status, Location, Response);

    /// <summary>The answer exactly as it was first written, so a replay is byte for byte the original.</summary>
    private sealed record RecordedAnswer(int Status, string? Location, string Json) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = Status;
            if (Location is not null) httpContext.Response.Headers.Location = Location;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            return httpContext.Response.WriteAsync(Json, Encoding.UTF8);
        }
    }
}
