using System.Security.Cryptography;
using System.Text;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>
/// Deterministic ids (RFC 9562 name-based, SHA-1, version 5): the same name always gives the same id, so two first
/// requests for the same thing agree on its id with no lookup and no race.
/// </summary>
public static class NameBasedId
{
    public static Guid Create(Guid ns, string name)
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
