namespace ReturnsHelper.Emulator.Http;

internal enum ApiSurface { User, Public }

internal delegate ApiResult ApiHandler(ApiRequest request);

internal sealed record ApiRoute(string Method, ApiHandler Handler);

/// <summary>
/// The API's routes: <c>Controller/action</c> under each surface's base paths, matched case-insensitively as
/// ASP.NET Core does. A plain dictionary keeps the hot path to one lookup without allocations.
/// </summary>
internal sealed class ApiRoutes
{
    private static readonly (string Prefix, ApiSurface Surface)[] BasePaths =
    [
        ("/uat/user/api/", ApiSurface.User),
        ("/v1/user/api/", ApiSurface.User),
        ("/uat/public/api/", ApiSurface.Public),
        ("/v1/public/api/", ApiSurface.Public),
    ];

    private readonly Dictionary<string, ApiRoute>[] _routes =
    [
        new(StringComparer.OrdinalIgnoreCase),
        new(StringComparer.OrdinalIgnoreCase),
    ];

    public void Get(ApiSurface surface, string action, ApiHandler handler) => _routes[(int)surface].Add(action, new ApiRoute("GET", handler));

    public void Post(ApiSurface surface, string action, ApiHandler handler) => _routes[(int)surface].Add(action, new ApiRoute("POST", handler));

    public ApiRoute? Find(string path)
    {
        foreach (var (prefix, surface) in BasePaths)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var action = path.AsSpan(prefix.Length).TrimEnd('/');
                return _routes[(int)surface].GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(action, out var route) ? route : null;
            }
        }

        return null;
    }
}
