using System.Text.Json;
using System.Text.Json.Serialization;

namespace NationalRegister.Seeding;

/// <summary>
/// One message as a force (or children's services) sends it to the register, one JSON object per line:
/// <c>{"type":"AssessRisk","episodeId":"...","force":"GMP","message":{...}}</c>. The message is the command record itself,
/// written as the HTTP endpoint binds it; a report carries its episode id in the message, every other line at the top.
/// </summary>
/// <param name="EpisodeId">The episode appended to; null for a report.</param>
/// <param name="Force">The acting force; null when children's services record a return interview.</param>
/// <param name="LocalAuthority">The acting children's services (ONS code), for their return interviews only.</param>
public sealed record SeedLine(Guid? EpisodeId, string? Force, string? LocalAuthority, object Message)
{
    /// <summary>The endpoints' own binding: web defaults, enums by name, nulls left out.</summary>
    public static readonly JsonSerializerOptions MessageOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The command record's name: ReportMissing, AssessRisk, RecordFound...</summary>
    public string Type => Message.GetType().Name;

    /// <summary>Writes the line's object (without the line break) as one JSON value.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type);
        if (EpisodeId is { } id) writer.WriteString("episodeId", id);
        if (Force is not null) writer.WriteString("force", Force);
        if (LocalAuthority is not null) writer.WriteString("localAuthority", LocalAuthority);
        writer.WritePropertyName("message");
        JsonSerializer.Serialize(writer, Message, Message.GetType(), MessageOptions);
        writer.WriteEndObject();
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
