using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.Channels;

namespace NationalRegister.Messages;

/// <summary>A line (or array element) as read: the message, or why it could not be read.</summary>
public sealed record BatchLine(int Index, BatchMessage? Message, string? Error);

/// <summary>
/// Runs a stream of messages: messages to one episode one after another in the order given (a report before its
/// assessments), different episodes side by side, and every result handed back in the order the messages came, with a
/// bounded number in flight so memory stays flat however long the stream. Consecutive messages to one episode travel
/// together, so a whole new episode can take the bulk path (<see cref="WholeEpisodes"/>); everything else, and all of
/// it when <c>bulk</c> is off, goes message by message through the live endpoints (<see cref="MessageDispatcher"/>).
/// </summary>
public sealed class MessageBatch(MessageDispatcher dispatcher, WholeEpisodes whole)
{
    /// <summary>Lines read ahead: enough for every lane to fill a bulk transaction (a few MB of messages).</summary>
    public const int InFlight = 32_768;

    /// <summary>At most this many consecutive lines travel as one episode's group (well under <see cref="InFlight"/>).</summary>
    private const int MostPerGroup = 200;

    private sealed record Pending(EpisodeGroup Group, TaskCompletionSource<MessageResult>[] Done);

    public async Task Run(IAsyncEnumerable<BatchLine> lines, Func<BatchMessage, ClaimsPrincipal> sender, string correlationId,
        int parallelism, Func<MessageResult, ValueTask> write, CancellationToken ct, bool bulk = true)
    {
        var ordered = Channel.CreateBounded<Task<MessageResult>>(InFlight);
        var lanes = Enumerable.Range(0, parallelism).Select(_ => Channel.CreateBounded<Pending>(WholeEpisodes.MostPerTransaction)).ToArray();
        // Started without the caller's execution context: each message sets the HTTP context accessor for its own request.
        Task[] workers;
        using (ExecutionContext.SuppressFlow())
            workers = [.. lanes.Select(lane => Task.Run(() => Work(lane.Reader, sender, correlationId, bulk, ct), ct))];

        var reading = Task.Run(async () =>
        {
            var next = 0;
            List<(BatchLine Line, TaskCompletionSource<MessageResult> Done)> group = [];
            async Task Flush()
            {
                if (group.Count == 0) return;
                var key = group[0].Line.Message!.StreamKey;
                var lane = key is { } id ? (int)((uint)id.GetHashCode() % (uint)lanes.Length) : next++ % lanes.Length;
                await lanes[lane].Writer.WriteAsync(new Pending(new EpisodeGroup([.. group.Select(g => g.Line)]), [.. group.Select(g => g.Done)]), ct);
                group = [];
            }

            try
            {
                var last = -1;
                await using var reader = lines.GetAsyncEnumerator(ct);
                while (true)
                {
                    BatchLine line;
                    try
                    {
                        if (!await reader.MoveNextAsync()) break;
                        line = reader.Current;
                        last = line.Index;
                    }
                    catch (JsonException)
                    {
                        // A broken array: what came before it stands, nothing after it is read.
                        await Flush();
                        await ordered.Writer.WriteAsync(Task.FromResult(Unreadable(new BatchLine(last + 1, null,
                            "The batch is not valid JSON from this message on: nothing from here was read. Send the rest again."))), ct);
                        break;
                    }

                    if (line.Message is not { } message)
                    {
                        await Flush();
                        await ordered.Writer.WriteAsync(Task.FromResult(Unreadable(line)), ct);
                        continue;
                    }

                    if (group.Count > 0 && (message.StreamKey is null || message.StreamKey != group[0].Line.Message!.StreamKey || group.Count >= MostPerGroup))
                        await Flush();
                    var done = new TaskCompletionSource<MessageResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                    await ordered.Writer.WriteAsync(done.Task, ct);
                    group.Add((line, done));
                }

                await Flush();
            }
            finally
            {
                foreach (var lane in lanes) lane.Writer.TryComplete();
                ordered.Writer.TryComplete();
            }
        }, ct);

        await foreach (var result in ordered.Reader.ReadAllAsync(ct)) await write(await result);
        await reading;
        await Task.WhenAll(workers);
    }

    private async Task Work(ChannelReader<Pending> lane, Func<BatchMessage, ClaimsPrincipal> sender, string correlationId, bool bulk,
        CancellationToken ct)
    {
        while (await lane.WaitToReadAsync(ct))
        {
            // As many episodes as are waiting, up to a transaction's worth, each once: episodes of one take are independent.
            List<Pending> take = [];
            var episodes = new HashSet<Guid>();
            while (take.Count < WholeEpisodes.MostPerTransaction && lane.TryPeek(out var next)
                   && (next.Group.EpisodeId is not { } id || episodes.Add(id)) && lane.TryRead(out next))
                take.Add(next);

            Dictionary<EpisodeGroup, MessageResult[]> committed = [];
            if (bulk)
            {
                try
                {
                    committed = await whole.Commit([.. take.Select(p => p.Group)], sender, correlationId, ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // Whatever went wrong there, the live path answers each message on its own.
                }
            }

            foreach (var (group, done) in take)
            {
                if (committed.TryGetValue(group, out var results))
                {
                    for (var i = 0; i < done.Length; i++) done[i].SetResult(results[i]);
                    continue;
                }

                for (var i = 0; i < done.Length; i++)
                {
                    try
                    {
                        done[i].SetResult(await dispatcher.Send(group.Lines[i].Index, group.Lines[i].Message!, sender(group.Lines[i].Message!), correlationId, ct));
                    }
                    catch (Exception e)
                    {
                        done[i].SetException(e);
                    }
                }
            }
        }
    }

    private static MessageResult Unreadable(BatchLine line) => new(line.Index, null, null, StatusCodes.Status400BadRequest, null,
        JsonSerializer.SerializeToElement(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.1", title = "The message is not valid", status = 400, detail = line.Error,
        }));

    /// <summary>NDJSON: one message per line, blank lines skipped; <paramref name="first"/> numbers the first line.</summary>
    public static async IAsyncEnumerable<BatchLine> ReadLines(Stream input, JsonSerializerOptions json, int first,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(input, leaveOpen: true);
        var index = first - 1;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            index++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            yield return Parse(index, text, json);
        }
    }

    /// <summary>A JSON array of messages, read element by element.</summary>
    public static async IAsyncEnumerable<BatchLine> ReadArray(Stream input, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken ct)
    {
        var index = -1;
        await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(input, json, ct))
            yield return Parse(++index, element.GetRawText(), json);
    }

    private static BatchLine Parse(int index, string text, JsonSerializerOptions json)
    {
        try
        {
            return JsonSerializer.Deserialize<BatchMessage>(text, json) is { } message
                ? new BatchLine(index, message, null)
                : new BatchLine(index, null, "A message must be a JSON object: {\"type\": ..., \"episodeId\": ..., \"message\": {...}}.");
        }
        catch (JsonException e)
        {
            return new BatchLine(index, null, e.Path is { Length: > 1 } path
                ? $"{path.TrimStart('$', '.')} is not a field of a message, or not of its kind (type, episodeId, personId, force, localAuthority, message)."
                : "The message is not valid JSON.");
        }
    }
}
