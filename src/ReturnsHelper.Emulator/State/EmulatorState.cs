namespace ReturnsHelper.Emulator.State;

/// <summary>
/// The single lock around <see cref="StateData"/>. Operations are in-memory and take microseconds, so one lock
/// is both the simplest correct design and fast enough on two cores; responses are rendered inside the lock so
/// they show a consistent snapshot.
/// </summary>
internal sealed class EmulatorState
{
    private readonly object _gate = new();
    private StateData _data;

    public EmulatorState(StateData data) => _data = data;

    public T Run<T>(Func<StateData, T> operation)
    {
        lock (_gate)
        {
            return operation(_data);
        }
    }

    public void Run(Action<StateData> operation)
    {
        lock (_gate)
        {
            operation(_data);
        }
    }

    /// <summary>Swaps in a new state (reset).</summary>
    public void Replace(StateData data)
    {
        lock (_gate)
        {
            data.MarkChanged();
            _data = data;
        }
    }
}
