using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NationalRegister.Episodes;
using NationalRegister.Episodes.Reporting;
using NationalRegister.Episodes.Viewing;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.People.Auditing;
using NationalRegister.People.Viewing;

namespace NationalRegister.Tests.Api;

/// <summary>Who is calling: a signed token for a role, as the token command would print it.</summary>
public sealed record As(string Role, string User, string? ForceCode = null, string? LocalAuthority = null)
{
    public static As Force(string force, string user = "PC 1234") => new(Roles.Force, user, force);
    public static As ChildrensServices(string localAuthority) => new(Roles.ChildrensServices, "RHI worker", LocalAuthority: localAuthority);
    public static readonly As Analyst = new(Roles.Analyst, "Analyst 1");
    public static readonly As Auditor = new(Roles.Auditor, "Auditor 1");
    public static readonly As Nobody = new("", "");
}

public sealed record Reply(HttpStatusCode Status, JsonNode? Body, IReadOnlyDictionary<string, string> Headers, string Text = "")
{
    /// <summary>The register's own JSON conventions: camelCase, enums by name.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public JsonNode Json => Body ?? throw new InvalidOperationException($"{Status} had no JSON body");
    public T Read<T>() => Json.Deserialize<T>(JsonOptions) ?? throw new InvalidOperationException($"{Status} had no {typeof(T).Name}");
    public Guid EpisodeId => Read<EpisodeAppended>().EpisodeId;
    public long Version => Read<EpisodeAppended>().Version;
    public Guid PersonId => Read<EpisodeReported>().PersonId;
    public string Detail => Body?["detail"]?.GetValue<string>() ?? "";
}

/// <summary>The register's API in the words of its guidance, so tests read like the rules they check.</summary>
public sealed class RegisterApi(IAlbaHost host)
{
    public static readonly DateTimeOffset Now = RegisterFixture.Now;

    public static Guid NewId() => Guid.NewGuid();

    public static string NewSubject() => $"SUBJ-{Guid.NewGuid():N}"[..16];

    public static object Person(string subject, DateOnly? dateOfBirth = null) => new
    {
        forceSubjectId = subject,
        givenName = "Sam",
        familyName = "Synthetic",
        dateOfBirth = (dateOfBirth ?? DateOnly.FromDateTime(Now.UtcDateTime).AddYears(-14)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        sex = "Male",
    };

    public static object Report(string? subject = null, Guid? messageId = null, DateTimeOffset? lastSeenAt = null,
        DateOnly? dateOfBirth = null, string? localAuthority = "Manchester", Guid? episodeId = null)
    {
        var lastSeen = lastSeenAt ?? Now.AddHours(-6);
        return new
        {
            messageId = messageId ?? NewId(),
            episodeId,
            forceReference = $"REF-{Guid.NewGuid():N}"[..12],
            person = Person(subject ?? NewSubject(), dateOfBirth),
            lastSeenAt = lastSeen,
            lastSeenLocation = "Town centre",
            circumstances = "Did not return home",
            reportedAt = lastSeen.AddHours(1),
            reportedBy = "Parent",
            localAuthority,
        };
    }

    public Task<Reply> ReportMissing(As who, object? body = null) => Post(who, "/api/episodes", body ?? Report());

    /// <summary>A child reported missing by the force, ready for the next step.</summary>
    public async Task<Guid> ChildMissing(As force, string? subject = null, DateTimeOffset? lastSeenAt = null)
    {
        var reply = await ReportMissing(force, Report(subject, lastSeenAt: lastSeenAt));
        reply.Status.ShouldBe(HttpStatusCode.Created, reply.Body?.ToJsonString());
        return reply.EpisodeId;
    }

    public async Task<Guid> ChildFound(As force, DateTimeOffset? foundAt = null)
    {
        var episode = await ChildMissing(force);
        (await Found(force, episode, foundAt: foundAt)).Status.ShouldBe(HttpStatusCode.OK);
        return episode;
    }

    public Task<Reply> AssessRisk(As who, Guid episode, string level = "Medium", long? expectedVersion = null, Guid? messageId = null,
        DateTimeOffset? assessedAt = null) =>
        Post(who, $"/api/episodes/{episode}/risk-assessments", new
        {
            messageId = messageId ?? NewId(), expectedVersion, level, rationale = "Vulnerable, no phone", assessedBy = "Sgt 1",
            assessedAt = assessedAt ?? Now.AddMinutes(-30),
        });

    public Task<Reply> Sighting(As who, Guid episode, DateTimeOffset? seenAt = null, long? expectedVersion = null) =>
        Post(who, $"/api/episodes/{episode}/sightings", new
        {
            messageId = NewId(), expectedVersion, seenAt = seenAt ?? Now.AddHours(-2), location = "Bus station", source = "CCTV",
        });

    public Task<Reply> Found(As who, Guid episode, DateTimeOffset? foundAt = null, string outcome = "SafeAndWell", long? expectedVersion = null) =>
        Post(who, $"/api/episodes/{episode}/found", new
        {
            messageId = NewId(), expectedVersion, foundAt = foundAt ?? Now.AddHours(-1), location = "Friend's house", foundBy = "PC 99", outcome,
        });

    public Task<Reply> ReturnInterview(As who, Guid episode, DateTimeOffset? conductedAt = null, string outcome = "Completed") =>
        Post(who, $"/api/episodes/{episode}/return-interviews", new
        {
            messageId = NewId(), outcome, conductedAt = conductedAt ?? Now.AddMinutes(-10), conductedBy = "RHI worker",
            disclosures = new[] { "Child criminal exploitation" },
        });

    public Task<Reply> Close(As who, Guid episode, DateTimeOffset? closedAt = null) =>
        Post(who, $"/api/episodes/{episode}/closure", new
        {
            messageId = NewId(), closedAt = closedAt ?? Now.AddMinutes(-5), closedBy = "Insp 3", summary = "Found safe and well",
        });

    /// <summary>A batch of messages to POST /api/messages, as a JSON array.</summary>
    public Task<Reply> PostMessages(As who, params object[] messages) => Post(who, "/api/messages", messages);

    public Task<Reply> GetEpisode(As who, Guid episode) => Get(who, $"/api/episodes/{episode}");

    /// <summary>The episode view, as one who may read it sees it.</summary>
    public async Task<EpisodeView> Episode(As who, Guid episode) => Ok(await GetEpisode(who, episode)).Read<EpisodeView>();

    public async Task<PersonView> Person(As who, Guid person) => Ok(await GetPerson(who, person)).Read<PersonView>();

    /// <summary>The entries of a person's history, as an auditor reads it now (or as known at a moment).</summary>
    public async Task<IReadOnlyList<HistoryEntry>> History(As who, Guid person, DateTimeOffset? asOf = null) =>
        Ok(await Get(who, $"/api/people/{person}/history{(asOf is { } at ? $"?asOf={Uri.EscapeDataString(at.ToString("O"))}" : "")}"))
            .Read<PersonHistory>().Entries;

    private static Reply Ok(Reply reply)
    {
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Body?.ToJsonString());
        return reply;
    }

    public Task<Reply> GetPerson(As who, Guid person) => Get(who, $"/api/people/{person}");

    public Task<Reply> GetHistory(As who, Guid person, string? justification = Justification) => justification is null
        ? Unjustified(who, $"/api/people/{person}/history")
        : Get(who, $"/api/people/{person}/history", ("X-Justification", justification));

    /// <summary>What an auditor says of every read unless a test says otherwise (DPA 2018 s62: auditors always say why).</summary>
    public const string Justification = "Audit of case handling, ref A-1";

    public Task<Reply> Post(As who, string url, object body, params (string Name, string Value)[] headers) =>
        PostRaw(who, url, JsonSerializer.Serialize(body), headers);

    public Task<Reply> PostRaw(As who, string url, string json, params (string Name, string Value)[] headers) =>
        PostBody(who, url, json, "application/json", headers);

    public async Task<Reply> PostBody(As who, string url, string body, string contentType, params (string Name, string Value)[] headers)
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl(url);
            s.WithRequestHeader("Content-Type", contentType);
            Authorise(s, who);
            s.ConfigureHttpContext(c => { foreach (var (name, value) in headers) c.Request.Headers[name] = Microsoft.Extensions.Primitives.StringValues.Concat(c.Request.Headers[name], value); });
            s.IgnoreStatusCode();
        });
        return await ReplyOf(result);
    }

    /// <summary>A read: an auditor's carries the vocabulary's justification, unless the test gives one of its own.</summary>
    public Task<Reply> Get(As who, string url, params (string Name, string Value)[] headers) =>
        Unjustified(who, url, who.Role == Roles.Auditor && !headers.Any(h => h.Name == "X-Justification")
            ? [.. headers, ("X-Justification", Justification)]
            : headers);

    public async Task<Reply> Unjustified(As who, string url, params (string Name, string Value)[] headers)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            Authorise(s, who);
            s.ConfigureHttpContext(c => { foreach (var (name, value) in headers) c.Request.Headers[name] = Microsoft.Extensions.Primitives.StringValues.Concat(c.Request.Headers[name], value); });
            s.IgnoreStatusCode();
        });
        return await ReplyOf(result);
    }

    public string TokenFor(As who)
    {
        var settings = host.Services.GetRequiredService<IOptions<AuthSettings>>().Value;
        List<Claim> claims = [new(RegisterClaims.Subject, who.User), new(RegisterClaims.Name, who.User), new(RegisterClaims.Role, who.Role)];
        if (who.ForceCode is not null) claims.Add(new(RegisterClaims.Force, who.ForceCode));
        if (who.LocalAuthority is not null) claims.Add(new(RegisterClaims.LocalAuthority, who.LocalAuthority));
        return settings.Issue(claims, DateTimeOffset.UtcNow);
    }

    private void Authorise(Scenario s, As who)
    {
        if (who != As.Nobody) s.WithRequestHeader("Authorization", $"Bearer {TokenFor(who)}");
    }

    private static async Task<Reply> ReplyOf(IScenarioResult result)
    {
        var text = await result.ReadAsTextAsync();
        var response = result.Context.Response;
        var headers = response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var json = response.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && response.ContentType?.Contains("ndjson", StringComparison.OrdinalIgnoreCase) != true && !string.IsNullOrWhiteSpace(text);
        return new Reply((HttpStatusCode)response.StatusCode, json ? JsonNode.Parse(text) : null, headers, text);
    }
}

public abstract class RegisterTests(RegisterFixture fixture)
{
    protected RegisterApi Api { get; } = new(fixture.Host);
    protected RegisterFixture Fixture { get; } = fixture;
    protected static readonly As Gmp = As.Force("GMP");
    protected static readonly As Met = As.Force("MET", "PC 777");
}

/// <summary>A person as one force reported them: the personId, its episodes and their references.</summary>
public sealed record Reported(Guid PersonId, string Subject, IReadOnlyList<Guid> Episodes, IReadOnlyList<string> References);

/// <summary>One person across forces (issue #7): records reported under a force's own names, merged and unmerged by analysts.</summary>
public static class PeopleVocabulary
{
    public const string Because = "Same child: name, date of birth and school match";

    /// <summary>A child reported missing by a force, once or more, under the names and subject id that force gave.</summary>
    public static async Task<Reported> ChildReportedBy(this RegisterApi api, As force, string givenName = "Sam",
        string familyName = "Synthetic", DateOnly? dateOfBirth = null, int episodes = 1, string? subject = null,
        DateTimeOffset? lastSeenAt = null)
    {
        subject ??= RegisterApi.NewSubject();
        List<Guid> ids = [];
        List<string> references = [];
        Guid person = default;
        for (var i = 0; i < episodes; i++)
        {
            var body = JsonSerializer.SerializeToNode(RegisterApi.Report(subject, dateOfBirth: dateOfBirth,
                lastSeenAt: (lastSeenAt ?? RegisterApi.Now.AddHours(-6)).AddDays(-30 * (episodes - 1 - i))))!.AsObject();
            body["person"]!["givenName"] = givenName;
            body["person"]!["familyName"] = familyName;
            var reply = await api.ReportMissing(force, body);
            reply.Status.ShouldBe(HttpStatusCode.Created, reply.Body?.ToJsonString());
            person = reply.PersonId;
            ids.Add(reply.EpisodeId);
            references.Add(body["forceReference"]!.GetValue<string>());
        }

        return new Reported(person, subject, ids, references);
    }

    public static Task<Reply> Merge(this RegisterApi api, As who, Guid person, Guid into, Guid? messageId = null,
        string? rationale = Because) =>
        api.Post(who, $"/api/people/{person}/merge", new { messageId = messageId ?? RegisterApi.NewId(), intoPersonId = into, rationale });

    public static Task<Reply> Unmerge(this RegisterApi api, As who, Guid person, Guid? messageId = null,
        string? rationale = "Different children: checked with both forces") =>
        api.Post(who, $"/api/people/{person}/unmerge", new { messageId = messageId ?? RegisterApi.NewId(), rationale });

    /// <summary>Merged, as an analyst decides it: the answer says what the record now points at.</summary>
    public static async Task<NationalRegister.People.Merging.PersonLinked> Merged(this RegisterApi api, Guid person, Guid into)
    {
        var reply = await api.Merge(As.Analyst, person, into);
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Body?.ToJsonString());
        return reply.Read<NationalRegister.People.Merging.PersonLinked>();
    }

    public static async Task<NationalRegister.People.Merging.PersonLinked> Unmerged(this RegisterApi api, Guid person)
    {
        var reply = await api.Unmerge(As.Analyst, person);
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Body?.ToJsonString());
        return reply.Read<NationalRegister.People.Merging.PersonLinked>();
    }
}
