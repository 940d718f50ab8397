using System.Security.Cryptography;
using System.Text;

namespace NationalRegister.People;

/// <summary>
/// Deterministic ids (RFC 9562 name-based, SHA-1, version 5): the same force and force subject id always give the
/// same personId, with no lookup and no race between two first reports of the same person. Linking one person
/// across forces is a separate, reversible decision layered on top of these ids.
/// </summary>
public static class PersonIdentity
{
    private static readonly Guid PersonNamespace = new("6f1c2a4e-3b7d-5e9a-8c10-4d2f6b8a9e01");
    private static readonly Guid EpisodeNamespace = new("a83d5c19-7e24-5b6f-9a01-c3e7d2b4f658");

    /// <summary>Force codes and subject ids are matched ignoring case and surrounding spaces.</summary>
    public static Guid Of(string force, string forceSubjectId) =>
        NameBased(PersonNamespace, $"{force.Trim().ToUpperInvariant()}\n{forceSubjectId.Trim().ToUpperInvariant()}");

    public static Guid EpisodeIdFor(Guid messageId) => NameBased(EpisodeNamespace, messageId.ToString("D"));

    private static Guid NameBased(Guid ns, string name)
    {
        var input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        ns.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version 5 ids; it is an identifier, not a security control.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
