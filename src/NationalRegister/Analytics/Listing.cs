using System.Collections;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using CsvHelper.TypeConversion;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using NationalRegister.Reference;
using Wolverine.Http;

namespace NationalRegister.Analytics;

/// <summary>A page of a national list, paged in the database, with how fresh it is.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total, AsOf AsOf)
{
    /// <summary>The same page with each item completed in memory (e.g. an authority's name beside its code).</summary>
    public PageOf<T> Select(Func<T, T> complete) => this with { Items = [.. Items.Select(complete)] };
}

public sealed record Paging(int Page, int PageSize)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    /// <summary>Deep enough for any list the register holds (500 million rows at the largest page size).</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>In long arithmetic: page 16,777,217 of 256 is row 4,294,967,296, not row 0.</summary>
    public long Offset => (Page - 1L) * PageSize;

    public static Paging Of(int? page, int? pageSize) => new(page ?? 1, pageSize ?? DefaultSize);

    public static ProblemDetails Check(int? page, int? pageSize) =>
        page is < 1 or > MaxPage || pageSize is < 1 or > MaxSize
            ? new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid paging",
                Detail = $"page is 1 to {MaxPage}; pageSize is 1 to {MaxSize} (default {DefaultSize}).",
            }
            : WolverineContinue.NoProblems;
}

/// <summary>Every list answers JSON, or CSV when asked with Accept: text/csv (paging and freshness then in headers).</summary>
public static class Listing
{
    public static IResult Answer<T>(HttpContext http, PageOf<T> page) => WantsCsv(http)
        ? Csv(page.Items, page.AsOf, (page.Page, page.PageSize, page.Total))
        : Results.Ok(page);

    public static bool WantsCsv(HttpContext http) =>
        http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    public static IResult Csv<T>(IEnumerable<T> rows, AsOf asOf, (int Page, int PageSize, long Total)? paging = null) =>
        new CsvResult<T>(rows, asOf, paging);

    private sealed class CsvResult<T>(IEnumerable<T> rows, AsOf asOf, (int Page, int PageSize, long Total)? paging) : IResult
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
