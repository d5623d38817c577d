using System.Globalization;

namespace ReturnsHelper.Emulator;

/// <summary>Parses <c>--name value</c> and <c>--name=value</c> options into <see cref="EmulatorOptions"/>.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: dotnet ReturnsHelper.Emulator.dll [options]

        A local emulator of the Return Helper User and Public APIs, on 127.0.0.1 only.

        Options:
          --port <n>             TCP port (default 5580; 0 picks a free port)
          --api-key <key>        API key of the first account (default emulator-key)
          --api-token <token>    API token of the first account (default emulator-token)
          --seed-inventory <n>   inventories to seed, ids from 100001 (default 1000)
          --seed <int>           seed of the generated data (default 1); same seed, same data
          --state-file <path>    load state from this JSON file; every change is saved there before it is answered
          --latency-ms <n>       delay added to every API request (default 0)
          --webhook-url <url>    post signed webhook events to this URL (needs --signing-key)
          --signing-key <b64>    Base64 webhook signing key
          --allow-remote-webhooks     allow webhook targets that are not loopback URLs (a switch)
          --max-request-body-mb <n>   refuse larger request bodies with 413 (default 16)
          --max-idempotency-keys <n>  idempotency keys remembered, oldest forgotten first (default 100000)
          --help                 show this text

        The control surface for tests is under /_emulator/ (see README.md).
        """;

    /// <summary>Returns the options, or null when help was asked for; throws <see cref="ArgumentException"/> on bad input.</summary>
    public static EmulatorOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h" or "-?" or "/?")
            {
                return null;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'. Options start with --; see --help.");
            }

            if (arg.Equals("--allow-remote-webhooks", StringComparison.OrdinalIgnoreCase))
            {
                // A switch: it takes no value.
                options.AllowRemoteWebhooks = true;
                continue;
            }

            string name = arg;
            string? value = null;
            int equals = arg.IndexOf('=');
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }

            if (value is null)
            {
                throw new ArgumentException($"{name} needs a value; see --help.");
            }

            switch (name.ToLowerInvariant())
            {
                case "--port": options.Port = Int(name, value); break;
                case "--api-key": options.ApiKey = value; break;
                case "--api-token": options.ApiToken = value; break;
                case "--seed-inventory": options.SeedInventory = Int(name, value); break;
                case "--seed": options.Seed = Int(name, value); break;
                case "--state-file": options.StateFile = value; break;
                case "--latency-ms": options.LatencyMs = Int(name, value); break;
                case "--webhook-url": options.WebhookUrl = value; break;
                case "--signing-key": options.SigningKey = value; break;
                case "--allow-remote-webhooks": throw new ArgumentException($"{name} is a switch and takes no value.");
                case "--max-request-body-mb": options.MaxRequestBodyBytes = Int(name, value) * 1024L * 1024; break;
                case "--max-idempotency-keys": options.MaxIdempotencyKeys = Int(name, value); break;
                default: throw new ArgumentException($"Unknown option '{name}'; see --help.");
            }
        }

        options.Validate();
        return options;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number)
            ? number
            : throw new ArgumentException($"{name} expects an integer, not '{value}'.");
}
