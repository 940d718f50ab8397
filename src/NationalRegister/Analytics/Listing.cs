using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>
/// A page of a national list, paged in the database, with how fresh it is. <c>Next</c> is where the following page starts
/// (pass it back as <c>after</c>): keyset paging, as fast on the thousandth page as on the first.
/// </summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total, AsOf AsOf, string? Next = null)
{
    /// <summary>The same page with each item completed in memory (e.g. an authority's name beside its code).</summary>
    public PageOf<T> Select(Func<T, T> complete) => this with { Items = [.. Items.Select(complete)] };
}

/// <summary>The sort key of the last row sent (an instant and an id), opaque to callers: the next page is the rows after it.</summary>
public sealed record Cursor(DateTimeOffset At, Guid Id)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(At.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10}.{Id:N}")));

    public static bool TryParse(string? text, out Cursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 100) return false;
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
                || micros > (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / 10
                || !Guid.TryParseExact(parts[1], "N", out var id)) return false;
            cursor = new Cursor(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public sealed record Paging(int Page, int PageSize, Cursor? After = null)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    /// <summary>Deep enough for any list the register holds (500 million rows at the largest page size).</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>In long arithmetic: page 16,777,217 of 256 is row 4,294,967,296, not row 0. After a cursor, none.</summary>
    public long Offset => After is null ? (Page - 1L) * PageSize : 0;

    public static Paging Of(int? page, int? pageSize, string? after = null) =>
        new(page ?? 1, pageSize ?? DefaultSize, Cursor.TryParse(after, out var cursor) ? cursor : null);

    public static ProblemDetails Check(int? page, int? pageSize, string? after = null) =>
        page is < 1 or > MaxPage || pageSize is < 1 or > MaxSize
            ? Invalid($"page is 1 to {MaxPage}; pageSize is 1 to {MaxSize} (default {DefaultSize}).")
            : after is not null && !Cursor.TryParse(after, out _)
                ? Invalid("after is the next value of a page of this list, passed back as it came.")
                : after is not null && page is > 1
                    ? Invalid("Give page or after, not both: after already says where the page starts.")
                    : WolverineContinue.NoProblems;

    private static ProblemDetails Invalid(string detail) =>
        new() { Status = StatusCodes.Status400BadRequest, Title = "Invalid paging", Detail = detail };
}

/// <summary>Every list answers JSON, or CSV when asked with Accept: text/csv (paging and freshness then in headers).</summary>
public static class Listing
{
    public static IResult Answer<T>(HttpContext http, PageOf<T> page) => WantsCsv(http)
        ? Csv(page.Items, page.AsOf, (page.Page, page.PageSize, page.Total), page.Next)
        : Results.Ok(page);

    public static bool WantsCsv(HttpContext http) =>
        http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    public static IResult Csv<T>(IEnumerable<T> rows, AsOf asOf, (int Page, int PageSize, long Total)? paging = null, string? next = null) =>
        new CsvResult<T>(rows, asOf, paging, next);

    private sealed class CsvResult<T>(IEnumerable<T> rows, AsOf asOf, (int Page, int PageSize, long Total)? paging, string? next) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers["X-As-Of-Sequence"] = asOf.Sequence.ToString(CultureInfo.InvariantCulture);
            if (asOf.At is { } at) http.Response.Headers["X-As-Of"] = at.ToString("O", CultureInfo.InvariantCulture);
            if (paging is var (page, size, total))
            {
                http.Response.Headers["X-Page"] = page.ToString(CultureInfo.InvariantCulture);
                http.Response.Headers["X-Page-Size"] = size.ToString(CultureInfo.InvariantCulture);
                http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
            }

            if (next is not null) http.Response.Headers["X-Next"] = next;

            await using var writer = new StreamWriter(http.Response.Body, leaveOpen: true);
            // A cell that begins =, +, -, @, tab or CR is a formula to a spreadsheet: prefixed with ' and quoted (OWASP, CSV injection).
            await using var csv = new CsvWriter(writer,
                new CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape });
            csv.Context.TypeConverterCache.AddConverter<IReadOnlyList<string>>(new JoinedList());
            csv.Context.TypeConverterCache.AddConverter<IReadOnlyList<Guid>>(new JoinedList());
            csv.Context.TypeConverterCache.AddConverter<IReadOnlyList<NamedAuthority>>(new JoinedList());
            csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset>().Formats = ["O"];
            csv.Context.TypeConverterOptionsCache.GetOptions<DateTimeOffset?>().Formats = ["O"];
            await csv.WriteRecordsAsync(rows, http.RequestAborted);
        }
    }

    /// <summary>A list in one CSV cell: "GMP|MET"; an authority as its code and name, "E08000003 Manchester".</summary>
    private sealed class JoinedList : DefaultTypeConverter
    {
        public override string ConvertToString(object? value, IWriterRow row, MemberMapData memberMapData) =>
            value is IEnumerable items
                ? string.Join('|', items.Cast<object>().Select(i => i is NamedAuthority a ? $"{a.Code} {a.Name}".TrimEnd() : i.ToString()))
                : "";
    }
}
