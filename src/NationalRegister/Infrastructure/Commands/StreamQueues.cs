namespace NationalRegister.Infrastructure.Commands;

/// <summary>
/// Writers on one stream queue in memory, in arrival order, before they take a database connection. The stream's row
/// lock (ConcurrencyStyle.Exclusive) is what keeps them in order across nodes; this keeps 200 writers on one episode from
/// holding every pooled connection while they wait for it, so that writers on other episodes are not kept waiting too.
/// </summary>
public sealed class StreamQueues
{
    private readonly Dictionary<Guid, Queue> _queues = [];

    public async Task<Turn> WaitTurn(Guid streamId, CancellationToken ct)
    {
        Queue queue;
        lock (_queues)
        {
            if (!_queues.TryGetValue(streamId, out queue!)) _queues[streamId] = queue = new Queue();
            queue.Waiting++;
        }

        try
        {
            await queue.Gate.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            Leave(streamId, queue);
            throw;
        }

        return new Turn(this, streamId, queue);
    }

    private void Leave(Guid streamId, Queue queue)
    {
        lock (_queues)
        {
            if (--queue.Waiting == 0) _queues.Remove(streamId);
        }
    }

    internal sealed class Queue
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Waiting { get; set; }
    }

    /// <summary>This writer's turn on the stream, until its transaction is over.</summary>
    public sealed class Turn
    {
        private readonly StreamQueues _queues;
        private readonly Guid _streamId;
        private readonly Queue _queue;
        private int _ended;

        internal Turn(StreamQueues queues, Guid streamId, Queue queue) => (_queues, _streamId, _queue) = (queues, streamId, queue);

        public void End()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0) return;
            _queue.Gate.Release();
            _queues.Leave(_streamId, _queue);
        }
    }
}
