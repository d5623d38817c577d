namespace ReturnsHelper.Emulator.State;

/// <summary>
/// Saves the state file when the state has changed, at most once per interval, and a last time on shutdown.
/// </summary>
internal sealed class StatePersister : IAsyncDisposable
{
    private readonly EmulatorState _state;
    private readonly string _path;
    private readonly object _saveGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private StateData? _savedData;
    private long _savedVersion;

    /// <param name="savedData">The state as it is on disk already (just loaded), or null when it has never been saved.</param>
    public StatePersister(EmulatorState state, string path, TimeSpan interval, StateData? savedData)
    {
        _state = state;
        _path = path;
        _savedData = savedData;
        _savedVersion = savedData?.Version ?? -1;
        _loop = RunAsync(interval, _stop.Token);
    }

    public void SaveIfChanged()
    {
        lock (_saveGate)
        {
            var (data, version, content) = _state.Run(d =>
                (d, d.Version, ReferenceEquals(d, _savedData) && d.Version == _savedVersion ? null : StateFile.Serialize(d)));
            if (content is null)
            {
                return;
            }

            StateFile.Write(_path, content);
            _savedData = data;
            _savedVersion = version;
        }
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                TrySave();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void TrySave()
    {
        try
        {
            SaveIfChanged();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep serving; the next tick (or shutdown) tries again.
            Console.Error.WriteLine($"warning: could not save the state file '{_path}': {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        TrySave();
        _stop.Dispose();
    }
}
