using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NationalRegister.Infrastructure.Integrity;

/// <summary>
/// The facts about one event that its link vouches for, as the database holds them: which stream and version, its id and
/// type, when it was recorded, by whom, under which request and message, its headers (but the link itself) and its data.
/// Not its global sequence (assigned by the database as it inserts) nor Marten's archive flag (which Marten updates).
/// </summary>
public sealed record ChainedEvent(
    Guid StreamId, long Version, Guid Id, string Type, string? TenantId, DateTimeOffset RecordedAt, string? User, string? CorrelationId,
    string? CausationId, JsonElement? Headers, JsonElement Data)
{
    /// <summary>The canonical bytes: the same whether built from the event before its insert or from its row afterwards.</summary>
    public byte[] Canonical()
    {
        var output = new ArrayBufferWriter<byte>(512);
        output.Write("["u8);
        Field(output, StreamId.ToString("D"));
        Field(output, Version.ToString(CultureInfo.InvariantCulture));
        Field(output, Id.ToString("D"));
        Field(output, Type);
        Field(output, TenantId);
        Field(output, RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        Field(output, User);
        Field(output, CorrelationId);
        Field(output, CausationId);
        output.Write("{"u8);
        var first = true;
        if (Headers is { ValueKind: JsonValueKind.Object } headers)
            foreach (var header in headers.EnumerateObject().Where(h => h.Name != Links.Header).OrderBy(h => h.Name, StringComparer.Ordinal))
            {
                if (!first) output.Write(","u8);
                first = false;
                CanonicalJson.WriteString(output, header.Name);
                output.Write(":"u8);
                CanonicalJson.Write(output, header.Value);
            }

        output.Write("},"u8);
        CanonicalJson.Write(output, Data);
        output.Write("]"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void Field(ArrayBufferWriter<byte> output, string? value)
    {
        CanonicalJson.WriteString(output, value);
        output.Write(","u8);
    }
}

/// <summary>
/// Each event's link chains it to the one before it in its stream: HMAC-SHA-256, keyed with a secret the database never
/// holds, over the previous link and the event's canonical bytes. Anyone who can write to PostgreSQL can change a row,
/// but cannot compute the link that would make the change verify.
/// </summary>
public static class Links
{
    /// <summary>The event header that carries the link.</summary>
    public const string Header = "link";

    public static string Next(byte[] key, string? previous, byte[] canonical)
    {
        var before = Encoding.ASCII.GetBytes((previous ?? "") + "\n");
        return Convert.ToBase64String(HMACSHA256.HashData(key, (byte[])[.. before, .. canonical]));
    }
}
