namespace NationalRegister.Infrastructure.Http;

/// <summary>
/// Every request carries a correlation id: the caller's X-Correlation-Id when it sends a sane one,
/// otherwise a new one. It is echoed on the response and stamped on every event the request appends.
/// </summary>
public static class CorrelationId
{
    public const string Header = "X-Correlation-Id";
    private const int MaxLength = 128;

    public static string Of(HttpContext http) =>
        http.Items.TryGetValue(Header, out var id) && id is string s ? s : Assign(http);

    public static IApplicationBuilder UseCorrelationIds(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            var id = Assign(http);
            http.Response.Headers[Header] = id;
            return next(http);
        });

    private static string Assign(HttpContext http)
    {
        var given = http.Request.Headers[Header].ToString().Trim();
        var id = given.Length is > 0 and <= MaxLength && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? given
            : Guid.NewGuid().ToString("N");
        http.Items[Header] = id;
        return id;
    }
}
