using ReturnsHelper.Emulator.Control;
using ReturnsHelper.Emulator.Http;
using ReturnsHelper.Emulator.State;
using ReturnsHelper.Emulator.Webhooks;

namespace ReturnsHelper.Emulator;

/// <summary>The parts of one running emulator, shared by the API dispatcher and the control surface.</summary>
internal sealed class EmulatorContext : IAsyncDisposable
{
    private ResponseVariants _variants = ResponseVariants.Default;

    public EmulatorContext(EmulatorOptions options, StateData initialState)
    {
        Options = options;
        State = new EmulatorState(initialState);
        Webhooks = new WebhookSender(options.WebhookRetryInitialDelay, options.WebhookRetryMaxDelay, options.AllowRemoteWebhooks);
        Idempotency = new IdempotencyStore(options.MaxIdempotencyKeys, TimeProvider.System);
        Webhooks.Configure(options.WebhookUrl, options.SigningKey);
    }

    public EmulatorOptions Options { get; }

    public EmulatorState State { get; }

    public FaultInjector Faults { get; } = new();

    public RequestLog Requests { get; } = new();

    public IdempotencyStore Idempotency { get; }

    public WebhookSender Webhooks { get; }

    /// <summary>The last webhook soak started through the control surface, or null.</summary>
    public WebhookSoak? Soak { get; set; }

    public ResponseVariants Variants
    {
        get => Volatile.Read(ref _variants);
        set => Volatile.Write(ref _variants, value);
    }

    /// <summary>Fresh seeded state as the options describe it, with optional overrides.</summary>
    public static StateData CreateSeedState(EmulatorOptions options, int? seedInventory = null, int? seed = null) =>
        Seeder.Create(seed ?? options.Seed, seedInventory ?? options.SeedInventory, options.ApiKey, options.ApiToken,
            options.SeedAnchorUtc ?? DateTime.UtcNow.Date);

    /// <summary>Back to a freshly started emulator (without a state file): seed data, no faults, keys, log or variants.</summary>
    public void Reset(int? seedInventory, int? seed)
    {
        State.Replace(CreateSeedState(Options, seedInventory, seed));
        Faults.Clear();
        Requests.Clear();
        Idempotency.Clear();
        Variants = ResponseVariants.Default;
        Webhooks.Configure(Options.WebhookUrl, Options.SigningKey);
        Webhooks.ClearDeliveries();
    }

    /// <summary>Renders and queues an event when a webhook target is configured; call it under the state lock.</summary>
    public void Raise(Func<WebhookEvent> createEvent)
    {
        if (Webhooks.IsConfigured)
        {
            Webhooks.Enqueue(createEvent());
        }
    }

    public ValueTask DisposeAsync() => Webhooks.DisposeAsync();
}
