namespace NationalRegister.Infrastructure.AccessLogging;

/// <summary>
/// One read of identifying data, or one attempt refused, as the Data Protection Act 2018 s62 asks to be logged: who (as
/// the token named them), in which role and for which agency, what (the people and episodes the answer held), when (the
/// database's clock), why (the justification), from where, under which request, and with what outcome. Each record is
/// linked to the one before it in its chain (one chain per register process), like the events.
/// </summary>
/// <param name="UserVerified">False for an attempt whose token was refused: the name is only what that token claimed.</param>
/// <param name="Action">consultation, disclosure (an export, with its recipient) or refused.</param>
/// <param name="Outcome">The HTTP status of the answer.</param>
public sealed record AccessRecord
{
    public Guid Chain { get; init; }
    public long Position { get; init; }
    public DateTimeOffset At { get; init; }
    public string? User { get; init; }
    public bool UserVerified { get; init; }
    public string? Role { get; init; }
    public string? Agency { get; init; }
    public string Action { get; init; } = "";
    public string Endpoint { get; init; } = "";
    public string? Query { get; init; }
    public IReadOnlyList<Guid> PersonIds { get; init; } = [];
    public IReadOnlyList<Guid> EpisodeIds { get; init; } = [];
    public string? Justification { get; init; }
    public string? Recipient { get; init; }
    public string? ClientAddress { get; init; }
    public string? CorrelationId { get; init; }
    public int Outcome { get; init; }
    public string? Link { get; init; }
}
