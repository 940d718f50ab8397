using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Infrastructure.Commands;

public enum RefusalKind
{
    /// <summary>The command contradicts the state of the stream (e.g. appending to a closed episode): 409.</summary>
    Conflict,
    /// <summary>The command is well formed but breaks a rule about its content (e.g. found before last seen): 422.</summary>
    Unprocessable,
}

public sealed record Refusal(RefusalKind Kind, string Title, string Detail)
{
    public IResult ToProblem() => Problems.Problem(
        Kind == RefusalKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity, Title, Detail);
}

/// <summary>What a decider answers: the events to append, or why none may be.</summary>
public readonly record struct Decision(IReadOnlyList<object> Events, Refusal? Refusal)
{
    public static Decision Accept(params object[] events) => new(events, null);

    public static implicit operator Decision(Refusal refusal) => new([], refusal);
}
