namespace ReturnsHelper.Emulator;

/// <summary>The emulator cannot start: bad options, an unreadable or corrupt state file, a port in use.</summary>
public sealed class EmulatorStartupException : Exception
{
    public EmulatorStartupException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
