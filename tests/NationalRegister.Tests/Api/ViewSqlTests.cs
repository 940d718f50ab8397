using System.Reflection;
using System.Text.RegularExpressions;
using NationalRegister.Analytics;
using Npgsql;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Every national view is one SQL text (a static <c>Sql</c> field beside its endpoint). PostgreSQL parses and plans each one
/// here (PREPARE, which runs nothing): a column renamed in <see cref="NationalEpisodes.Definition"/>, a Marten document
/// table that moved, or a typo fails this test by the view's name, before any caller meets a 500.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed partial class ViewSqlTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    /// <summary>The types the endpoints bind (Marten types each parameter by its C# type): a new parameter is declared here.</summary>
    private static readonly Dictionary<string, string> Declared = new(StringComparer.Ordinal)
    {
        ["force"] = "text", ["localAuthority"] = "text", ["riskLevel"] = "text", ["limit"] = "integer", ["offset"] = "bigint",
        ["minEpisodes"] = "bigint", ["window"] = "interval", ["shards"] = "text[]",
        ["now"] = "timestamptz", ["since"] = "timestamptz", ["midnight"] = "timestamptz", ["start"] = "timestamptz", ["end"] = "timestamptz",
        ["windowStart"] = "timestamptz", ["dueFoundBefore"] = "timestamptz", ["afterAt"] = "timestamptz", ["afterId"] = "uuid", ["from"] = "timestamptz", ["to"] = "timestamptz",
        ["forces"] = "text[]", ["levels"] = "text[]", ["hours"] = "float8[]", ["standardLevels"] = "text[]", ["standardHours"] = "float8[]",
    };

    public static TheoryData<string> Views() => [.. ViewSql().Keys];

    [Theory]
    [MemberData(nameof(Views))]
    public async Task each_view_names_only_tables_and_columns_the_database_has(string view)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await Prepare(connection, ViewSql()[view]);
    }

    [Fact]
    public async Task a_view_naming_a_column_the_table_no_longer_has_fails_the_check()
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        var renamed = OpenEpisodesEndpoint.Sql.Replace("e.last_seen_at", "e.last_seen", StringComparison.Ordinal);
        var failure = await Should.ThrowAsync<PostgresException>(() => Prepare(connection, renamed));
        failure.SqlState.ShouldBe(PostgresErrorCodes.UndefinedColumn);
        failure.MessageText.ShouldContain("last_seen");
    }

    [Fact]
    public void every_national_view_is_found_and_reads_no_json_field_of_a_document()
    {
        var views = ViewSql();
        views.Keys.ShouldBe(
            ["AnnualReportEndpoint", "Freshness", "OpenEpisodesEndpoint", "OverdueReturnInterviewsEndpoint", "OverdueReviewsEndpoint",
                "PossibleMatchesEndpoint", "RepeatMissingEndpoint", "ReturnInterviewTimelinessEndpoint", "SummaryEndpoint"],
            ignoreOrder: true);
        foreach (var (view, sql) in views) sql.ShouldNotContain("data->", customMessage: view);
    }

    /// <summary>Binds :name parameters as $1..$n (one number per name) and asks PostgreSQL to parse and plan the statement.</summary>
    private static async Task Prepare(NpgsqlConnection connection, string sql)
    {
        var names = new List<string>();
        var positional = NamedParameter().Replace(sql, m =>
        {
            var name = m.Groups[1].Value;
            if (!names.Contains(name)) names.Add(name);
            return $"${names.IndexOf(name) + 1}";
        });
        var undeclared = names.Where(n => !Declared.ContainsKey(n)).ToList();
        undeclared.ShouldBeEmpty("declare the type of each new parameter in ViewSqlTests.Declared");
        var types = string.Join(", ", names.Select(n => Declared[n]));
        await using (var prepare = new NpgsqlCommand($"prepare view_check ({types}) as {positional}", connection))
            await prepare.ExecuteNonQueryAsync();
        await using var deallocate = new NpgsqlCommand("deallocate view_check", connection);
        await deallocate.ExecuteNonQueryAsync();
    }

    private static Dictionary<string, string> ViewSql() =>
        typeof(NationalEpisodes).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(NationalEpisodes).Namespace)
            .Select(t => (t.Name, Field: t.GetField("Sql", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)))
            .Where(v => v.Field?.FieldType == typeof(string))
            .ToDictionary(v => v.Name, v => (string)v.Field!.GetValue(null)!);

    // :name, not the ::type of a cast.
    [GeneratedRegex(@"(?<!:):([A-Za-z]\w*)")]
    private static partial Regex NamedParameter();
}
