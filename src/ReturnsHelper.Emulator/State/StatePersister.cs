namespace ReturnsHelper.Emulator.State;

/// <summary>
/// Saves the state file: before each answer that follows a change (the host calls <see cref="SaveIfChanged"/>),
/// once per interval for changes no answer followed (a dropped connection), and a last time on shutdown.
/// </summary>
internal sealed class StatePersister : IAsyncDisposable
{
    private readonly EmulatorState _state;
    private readonly string _path;
    private readonly object _saveGate = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private StateData? _savedData;
    private long _savedVersion;

    /// <param name="savedData">The state as it is on disk already (just loaded), or null when it has never been saved.</param>
    public StatePersister(EmulatorState state, string path, StateData? savedData)
    {
        _state = state;
        _path = path;
        _savedData = savedData;
        _savedVersion = savedData?.Version ?? -1;
    }

    /// <summary>Starts the periodic saves; only a started persister saves on shutdown (a failed start writes nothing).</summary>
    public void Start(TimeSpan interval) => _loop = RunAsync(interval, _stop.Token);

    /// <summary>
    /// Writes the state when it changed since the last write; returns once it is in the file. A concurrent caller
    /// waits for the write in progress, which may already hold its change. Throws when the file cannot be written.
    /// </summary>
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
        if (_loop is not null)
        {
            await _loop;
            TrySave();
        }

        _stop.Dispose();
    }
}
