using System;
using System.Diagnostics;

namespace ReturnsHelper.Commands;

/// <summary>
/// Tells an input that follows a quiet spell (an event stream such as Receive-RrWebhook) from a steady one (a
/// CSV file). A per-item command finishes such an input before the producer runs again, so its result or error
/// is not left waiting for an event that may come hours later. Only when output is written depends on it, never
/// which requests are sent.
/// </summary>
internal sealed class QuietInput
{
    private readonly Stopwatch sinceInput = Stopwatch.StartNew();
    private readonly TimeSpan quiet;

    public QuietInput(TimeSpan? quiet = null) => this.quiet = quiet ?? TimeSpan.FromSeconds(1);

    /// <summary>Call when an input arrives: true when the producer was silent for at least the quiet spell.</summary>
    public bool Arrived() => sinceInput.Elapsed >= quiet;

    /// <summary>Call when control goes back to the producer: the silence is measured from here.</summary>
    public void Returned() => sinceInput.Restart();
}
