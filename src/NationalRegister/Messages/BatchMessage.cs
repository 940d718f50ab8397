using System.Text.Json;
using System.Text.Json.Serialization;

namespace NationalRegister.Messages;

/// <summary>
/// One message of a batch: a command of the single endpoints (its record's name as <c>type</c>, its body as
/// <c>message</c>), the episode (or person) it goes to, and, in an operator's import file, the agency it is sent for.
/// </summary>
/// <param name="Force">Who sends it, in an import file; over HTTP it may be left out, and must otherwise be the caller's.</param>
public sealed record BatchMessage(
    string? Type, Guid? EpisodeId, Guid? PersonId, string? Force, string? LocalAuthority, JsonElement? Message)
{
    /// <summary>The messageId inside the body, when there is one to report back (the endpoint still checks it).</summary>
    public Guid? MessageId => Message is { ValueKind: JsonValueKind.Object } body
        && body.TryGetProperty("messageId", out var id) && id.TryGetGuid(out var guid) ? guid : null;

    /// <summary>Messages to one stream are sent one after another, in the order given; others run side by side.</summary>
    public Guid? StreamKey => EpisodeId ?? PersonId ?? (Message is { ValueKind: JsonValueKind.Object } body
        && body.TryGetProperty("episodeId", out var id) && id.TryGetGuid(out var guid) ? guid : null);
}

/// <summary>What became of one message: the single endpoint's status and answer, its problem detail when refused.</summary>
/// <param name="Index">Its place in the batch (0-based), or its line in an import file (1-based).</param>
public sealed record MessageResult(
    int Index, string? Type, Guid? MessageId, int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Location,
    JsonElement? Body)
{
    /// <summary>Taken by the bulk path (<see cref="WholeEpisodes"/>) rather than its single endpoint; the answer is the same.</summary>
    [JsonIgnore]
    public bool Bulk { get; init; }

    [JsonIgnore]
    public bool Accepted => Status is >= 200 and < 300;
}
