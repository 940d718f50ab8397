using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NationalRegister.Tests.Api;

/// <summary>Every log entry the register writes, at every level, with its structured values and scopes, as text.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public sealed record Entry(LogLevel Level, string Category, string Text);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new System.Text.StringBuilder(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (key, value) in values) text.Append(' ').Append(key).Append('=').Append(value);
            logs._scopes.ForEachScope((scope, builder) => builder.Append(" scope=").Append(scope), text);
            if (exception is not null) text.Append(' ').Append(exception);
            logs._entries.Enqueue(new Entry(logLevel, category, text.ToString()));
        }
    }
}
