using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Postgres;

namespace NationalRegister.Messages;

public sealed class ImportInput : NetCoreInput
{
    [Description("NDJSON files of messages, one per line, each naming the force (or localAuthority) it is sent for (the seed command writes them); - reads standard input")]
    public List<string> Files { get; set; } = [];

    [Description("Where every refused message is written with its problem (default: the first file's name plus .refused.ndjson)")]
    [FlagAlias("report")]
    public string? ReportFlag { get; set; }

    [Description("Who the events are recorded as sent by (default \"import\")")]
    [FlagAlias("user")]
    public string UserFlag { get; set; } = "import";

    [Description("Episodes written side by side (default 8); one episode's messages always go one after another")]
    [FlagAlias("parallel")]
    public int ParallelFlag { get; set; } = 8;

    [Description("Every message through the live endpoints, one transaction each, even whole new episodes (slower; for comparison)")]
    [FlagAlias("live")]
    public bool LiveFlag { get; set; }
}

/// <summary>
/// Backfills a force's history: every line goes through the same endpoint, rules, ledger and chain as a live request
/// (<see cref="MessageDispatcher"/>), sent for the agency it names. Each accepted message commits on its own, so a run
/// killed at any moment is completed by running it again: accepted messages replay their answers by messageId, nothing
/// is written twice. Runs beside a serving register without taking its projections (Program.cs starts it without agents).
/// </summary>
[Description("Import NDJSON files of messages (seed writes them) through the register's own rules, with progress", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public override async Task<bool> Execute(ImportInput input)
    {
        if (input.Files.Count == 0 || input.Files.Find(f => f != "-" && !File.Exists(f)) is not null)
        {
            await Console.Error.WriteLineAsync(input.Files.Count == 0
                ? "Name the files to import: import FILE... (write one with `seed --scale 0.01 --out seed.ndjson`)."
                : $"No such file: {input.Files.Find(f => f != "-" && !File.Exists(f))}. Check the path, or write one with `seed --out FILE`.");
            return false;
        }

        using var host = input.BuildHost();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            var database = new Npgsql.NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<RegisterDatabase>().ConnectionString);
            await Console.Error.WriteLineAsync($"The import did not start: {CommandLine.Explain(e, $"{database.Host}:{database.Port}")}");
            return false;
        }

        var batch = host.Services.GetRequiredService<MessageBatch>();
        var agencies = host.Services.GetRequiredService<IKnownAgencies>();
        var json = host.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var reportPath = input.ReportFlag ?? (input.Files[0] == "-" ? "import" : input.Files[0]) + ".refused.ndjson";
        await using var report = new StreamWriter(reportPath);
        var progress = new Progress(input.Files.Sum(f => f == "-" ? 0 : new FileInfo(f).Length));
        var correlation = $"import-{Guid.NewGuid():N}";
        foreach (var file in input.Files)
        {
            // "-" is standard input: `seed --out - | import -` feeds the import as the history is generated.
            await using var stream = file == "-" ? Console.OpenStandardInput() : File.OpenRead(file);
            progress.Reading(stream);
            await batch.Run(MessageBatch.ReadLines(stream, json, 1, CancellationToken.None), m => Sender(m, input.UserFlag, agencies),
                correlation, Math.Max(1, input.ParallelFlag), async result =>
                {
                    progress.Count(result.Accepted, result.Bulk);
                    if (!result.Accepted)
                        await report.WriteLineAsync(JsonSerializer.Serialize(new { file, line = result.Index, result.Type, result.MessageId, result.Status, problem = result.Body }, json));
                }, CancellationToken.None, bulk: !input.LiveFlag);
            progress.Done(file == "-" ? 0 : stream.Length);
        }

        progress.Print(final: true);
        await host.StopAsync();
        if (progress.Refused == 0)
        {
            File.Delete(reportPath);
            return true;
        }

        await Console.Error.WriteLineAsync($"{progress.Refused:N0} messages were refused, each with its problem in {reportPath}. " +
            "Correct them and import that file's lines again; accepted messages are kept and replay if sent again.");
        return false;
    }

    /// <summary>The agency a line is sent for, as a token for it would say; a line naming none, or an unknown one, is refused.</summary>
    public static ClaimsPrincipal Sender(BatchMessage message, string user, IKnownAgencies agencies)
    {
        List<Claim> claims = [new(RegisterClaims.Name, user), new(RegisterClaims.Subject, user)];
        if (agencies.ForceCode(message.Force) is { } force) claims.AddRange([new(RegisterClaims.Role, Roles.Force), new(RegisterClaims.Force, force)]);
        else if (agencies.LocalAuthorityCode(message.LocalAuthority) is { } authority)
            claims.AddRange([new(RegisterClaims.Role, Roles.ChildrensServices), new(RegisterClaims.LocalAuthority, authority)]);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "import", RegisterClaims.Name, RegisterClaims.Role));
    }

    /// <summary>Messages done, the rate, and the time left by bytes read; a line a second on a terminal, every 5 s otherwise.</summary>
    private sealed class Progress(long totalBytes)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly TimeSpan _every = Console.IsErrorRedirected ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(1);
        private TimeSpan _last;
        private long _doneBytes;
        private Stream? _current;
        public long Accepted { get; private set; }
        public long Refused { get; private set; }

        public void Reading(Stream stream) => _current = stream;

        public void Done(long bytes) => (_doneBytes, _current) = (_doneBytes + bytes, null);

        public long Bulk { get; private set; }

        public void Count(bool accepted, bool bulk)
        {
            if (bulk) Bulk++;
            if (accepted) Accepted++;
            else Refused++;
            if (_clock.Elapsed - _last >= _every) Print(final: false);
        }

        public void Print(bool final)
        {
            _last = _clock.Elapsed;
            var messages = Accepted + Refused;
            var rate = messages / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
            var read = _doneBytes + (_current is { CanSeek: true } current ? current.Position : 0);
            var left = read == 0 || totalBytes == 0 ? "" : $", about {TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (totalBytes - read) / read):hh\\:mm\\:ss} left";
            var line = $"{(final ? "Imported" : "Importing:")} {messages:N0} messages ({Accepted:N0} accepted, {Bulk:N0} of them in bulk, {Refused:N0} refused), " +
                $"{rate:N0} messages/s{(totalBytes == 0 ? "" : $", {100.0 * read / totalBytes:N1}% of {totalBytes / 1048576.0:N1} MB")}" +
                (final ? $" in {_clock.Elapsed:hh\\:mm\\:ss}" : left);
            if (Console.IsErrorRedirected || final) Console.Error.WriteLine(line);
            else Console.Error.Write($"\r{line}   ");
        }
    }
}
