namespace NationalRegister.Infrastructure.Commands;

/// <summary>Every command carries a messageId: a permanent idempotency key, scoped to the agency that sends it.</summary>
public interface ICommand
{
    Guid MessageId { get; }
}

/// <summary>A command that appends to an existing stream, optionally only if it is still at the version the caller saw.</summary>
public interface IAppendCommand : ICommand
{
    long? ExpectedVersion { get; }
}
