namespace ReturnsHelper.Emulator.Http;

/// <summary>A rendered API response: kept as bytes so an idempotent replay sends exactly the same answer.</summary>
internal sealed record ApiResult(int HttpStatus, int MetaStatus, byte[] Body)
{
    public int? RetryAfterSeconds { get; init; }
}
