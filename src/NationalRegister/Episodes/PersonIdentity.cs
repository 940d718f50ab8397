using NationalRegister.Infrastructure.Commands;

namespace NationalRegister.Episodes;

/// <summary>
/// The same force and force subject id always give the same personId, with no lookup and no race between two first
/// reports of the same person. Linking one person across forces is a separate, reversible decision on top of these ids.
/// </summary>
public static class PersonIdentity
{
    private static readonly Guid PersonNamespace = new("6f1c2a4e-3b7d-5e9a-8c10-4d2f6b8a9e01");
    private static readonly Guid EpisodeNamespace = new("a83d5c19-7e24-5b6f-9a01-c3e7d2b4f658");

    /// <summary>Force codes and subject ids are matched ignoring case and surrounding spaces.</summary>
    public static Guid Of(string force, string forceSubjectId) =>
        NameBasedId.Create(PersonNamespace, $"{force.Trim().ToUpperInvariant()}\n{forceSubjectId.Trim().ToUpperInvariant()}");

    /// <summary>Without a client-chosen id, a report's episode id follows from its force's messageId: a retry cannot open two.</summary>
    public static Guid EpisodeIdFor(string force, Guid messageId) =>
        NameBasedId.Create(EpisodeNamespace, $"{force.Trim().ToUpperInvariant()}\n{messageId:D}");
}
