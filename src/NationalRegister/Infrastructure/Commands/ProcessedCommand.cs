using System.Security.Cryptography;
using System.Text.Json;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>Every command carries a messageId: a permanent idempotency key.</summary>
public interface ICommand
{
    Guid MessageId { get; }
}

/// <summary>A command that appends to an existing stream, optionally only if it is still at the version the caller saw.</summary>
public interface IAppendCommand : ICommand
{
    long? ExpectedVersion { get; }
}

/// <summary>
/// The permanent record that a messageId was handled, written in the same transaction as the events it
/// produced, so a retry after a lost response gets the original answer and appends nothing. (Wolverine's
/// inbox keeps handled ids for minutes only, which is no substitute.)
/// </summary>
public sealed record ProcessedCommand(
    Guid Id,
    string Fingerprint,
    int Status,
    Guid StreamId,
    Guid? PersonId,
    long Version,
    string Agency,
    DateTimeOffset ProcessedAt)
{
    /// <summary>
    /// Same messageId, same command: the fingerprint covers who sent it, the target stream and the whole body,
    /// so one force can never be handed another's response by reusing its messageId.
    /// </summary>
    public static string FingerprintOf<T>(string agency, Guid streamId, T command) where T : ICommand
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(command);
        var hash = SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(agency), .. streamId.ToByteArray(), .. body]);
        return Convert.ToHexString(hash);
    }
}
