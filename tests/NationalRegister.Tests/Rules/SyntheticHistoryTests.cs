using System.Text.Json;
using JasperFx.Events;
using Microsoft.Extensions.Options;
using NationalRegister.Episodes;
using NationalRegister.Episodes.Closing;
using NationalRegister.Episodes.Correcting;
using NationalRegister.Episodes.Finding;
using NationalRegister.Episodes.GradingRisk;
using NationalRegister.Episodes.InterviewingOnReturn;
using NationalRegister.Episodes.Reporting;
using NationalRegister.Episodes.Reviewing;
using NationalRegister.Episodes.Sighting;
using NationalRegister.Episodes.Transferring;
using NationalRegister.Infrastructure.Commands;
using NationalRegister.Reference;
using NationalRegister.Seeding;

namespace NationalRegister.Tests.Rules;

/// <summary>The seed's synthetic history: deterministic, shaped like domain.md's figures, accepted by the register's own rules.</summary>
public sealed class SyntheticHistoryTests
{
    private static readonly DateOnly Until = new(2026, 11, 30);
    private static readonly ReferenceData Reference = new(Options.Create(new ReferenceExtensions()));

    /// <summary>Three years at a hundredth of England and Wales: about 11,000 episodes, read back as the importer reads them.</summary>
    private static readonly Lazy<History> Small = new(() => History.Of(new SeedSettings(3, 0.01, 42, Until)));

    private static string Ndjson(SeedSettings settings) =>
        string.Join('\n', new SyntheticHistory().Generate(settings).Select(l => l.ToJson()));

    [Fact]
    public void the_same_settings_give_byte_identical_output_and_another_seed_another()
    {
        var settings = new SeedSettings(1, 0.005, 7, Until);
        var first = Ndjson(settings);
        first.Length.ShouldBeGreaterThan(100_000);
        Ndjson(settings).ShouldBe(first);
        Ndjson(settings with { Seed = 8 }).ShouldNotBe(first);
        Ndjson(settings with { Until = Until.AddDays(-1) }).ShouldNotBe(first);
    }

    [Fact]
    public void every_episode_is_accepted_by_the_registers_own_rules()
    {
        // The importer will refuse anything the endpoints refuse: replay each message through Validate, Decide and Apply.
        var history = Small.Value;
        var now = history.Settings.End;
        var episodes = new Dictionary<Guid, (Episode Episode, List<IEvent> Stream)>();
        foreach (var line in history.Lines)
        {
            var message = line.Message;
            if (message is ReportMissing report)
            {
                line.EpisodeId.ShouldBeNull();
                var (typed, _) = ReportMissingEndpoint.Validate(report, Reference);
                typed.ShouldNotBeNull($"{line.Json} is not valid");
                var force = line.Force.ShouldNotBeNull();
                var decision = ReportMissingEndpoint.Decide(typed.EpisodeId!.Value, PersonIdentity.Of(force, typed.Person.ForceSubjectId),
                    force, typed, now);
                Accepted(decision, line);
                var reported = (MissingReported)decision.Events.Single();
                episodes.ContainsKey(reported.EpisodeId).ShouldBeFalse();
                episodes[reported.EpisodeId] = (Episode.Create(reported) with { Version = 1 }, [Stored(reported, 1)]);
                continue;
            }

            var id = line.EpisodeId.ShouldNotBeNull();
            var (episode, stream) = episodes[id];
            var command = (IAppendCommand)message;
            command.ExpectedVersion.ShouldBe(episode.Version, line.Json);
            if (line.LocalAuthority is { } authority)
            {
                message.ShouldBeOfType<RecordReturnInterview>();
                authority.ShouldBe(episode.LocalAuthority, line.Json);
            }
            else line.Force.ShouldBe(episode.Force, $"only the owning force appends: {line.Json}");

            var appended = Decide(message, episode, stream, line.Force, now, line);
            foreach (var e in appended)
            {
                episode = Evolve(episode, e) with { Version = episode.Version + 1 };
                stream.Add(Stored(e, episode.Version));
            }

            episodes[id] = (episode, stream);
        }

        ((long)episodes.Count).ShouldBe(history.Episodes);
    }

    [Fact]
    public void the_shares_are_domain_mds()
    {
        var history = Small.Value;
        var reports = history.Lines.Select(l => l.Message).OfType<ReportMissing>().ToList();
        // 380,000 a year at scale 1.0 (360,000-400,000).
        (reports.Count / 3.0).ShouldBeInRange(3_400, 4_200);
        history.Episodes.ShouldBe((long)reports.Count);

        // Two thirds of incidents are children, most of them 12-17.
        var children = reports.Where(r => EpisodeRules.IsChild(r.Person!.DateOfBirth!.Value, r.LastSeenAt!.Value)).ToList();
        ((double)children.Count / reports.Count).ShouldBeInRange(0.6, 0.73);
        children.Count(r => AgeBands.YearsOld(r.Person!.DateOfBirth!.Value, r.LastSeenAt!.Value) >= 12)
            .ShouldBeGreaterThan(children.Count * 3 / 4);

        // A third of people have been missing before; a long tail goes missing dozens of times.
        var perPerson = reports.GroupBy(r => (r.Person!.FamilyName, r.Person.DateOfBirth)).Select(g => g.Count()).ToList();
        ((double)perPerson.Count(n => n > 1) / perPerson.Count).ShouldBeInRange(0.25, 0.42);
        perPerson.Max().ShouldBeInRange(24, 150);
        // About 200,000 people a year for 380,000 incidents.
        ((double)reports.Count / perPerson.Count).ShouldBeInRange(1.6, 2.8);

        // 75% found within a day, 85% within two (of reports at least two days before the end).
        var found = history.FoundAt();
        var settled = reports.Where(r => r.ReportedAt < history.Settings.End.AddDays(-2)).ToList();
        double Within(double hours) => (double)settled.Count(r => found.TryGetValue(r.EpisodeId!.Value, out var at)
            && at - r.ReportedAt!.Value <= TimeSpan.FromHours(hours)) / settled.Count;
        Within(24).ShouldBeInRange(0.71, 0.79);
        Within(48).ShouldBeInRange(0.82, 0.88);
        reports.Count(r => !found.ContainsKey(r.EpisodeId!.Value)).ShouldBeInRange(5, 200);

        // 96% safe and well, 3% harmed, 0.4% dead.
        var outcomes = history.Lines.Select(l => l.Message).OfType<RecordFound>().GroupBy(f => f.Outcome!)
            .ToDictionary(g => g.Key, g => (double)g.Count() / found.Count);
        outcomes[nameof(FoundOutcome.SafeAndWell)].ShouldBeInRange(0.94, 0.975);
        outcomes[nameof(FoundOutcome.Harmed)].ShouldBeInRange(0.02, 0.04);
        outcomes[nameof(FoundOutcome.Deceased)].ShouldBeInRange(0.001, 0.008);

        // Mostly low or medium at first, some high, a few very low; some re-graded.
        var grades = history.Lines.Where(l => l.Message is AssessRisk).GroupBy(l => l.EpisodeId!.Value).ToList();
        var first = grades.Select(g => ((AssessRisk)g.First().Message).Level!).ToList();
        ((double)first.Count(l => l is "Low" or "Medium") / first.Count).ShouldBeInRange(0.75, 0.92);
        first.ShouldContain("High");
        first.ShouldContain(l => l == "VeryLow" || l == "NoApparentRisk");
        ((double)grades.Count(g => g.Count() > 1) / reports.Count).ShouldBeInRange(0.05, 0.3);
    }

    [Fact]
    public void every_force_reports_and_every_kind_of_message_is_sent()
    {
        var history = Small.Value;
        var reporting = history.Lines.Where(l => l.Message is ReportMissing).Select(l => l.Force!).ToHashSet();
        reporting.ShouldBe(SyntheticHistory.ForceCodes, ignoreOrder: true);
        SyntheticHistory.ForceCodes.Count.ShouldBe(43);
        history.Lines.Select(l => l.Type).Distinct().ShouldBe(
            ["ReportMissing", "AssessRisk", "RecordSighting", "RecordFound", "RecordReturnInterview", "ReviewEpisode", "TransferEpisode",
                "CloseEpisode", "CorrectEpisode"], ignoreOrder: true);
        var corrections = history.Lines.Select(l => l.Message).OfType<CorrectEpisode>().Select(c => c.Corrects).ToHashSet();
        corrections.ShouldBe(["LastSeenAt", "LocalAuthority", "GivenName", "Retraction"], ignoreOrder: true);
        history.Lines.Count(l => l.LocalAuthority is not null).ShouldBeGreaterThan(0);
        foreach (var line in history.Lines)
        {
            if (line.Force is { } force) Reference.Force(force).ShouldNotBeNull();
            if (line.LocalAuthority is { } authority) Reference.LocalAuthority(authority).ShouldNotBeNull();
        }
    }

    [Fact]
    public void nothing_happens_after_the_end_and_every_time_is_utc()
    {
        var history = Small.Value;
        var end = history.Settings.End;
        var times = 0;
        foreach (var line in history.Lines)
            foreach (var property in JsonDocument.Parse(line.Json).RootElement.GetProperty("message").EnumerateObject())
                if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 18 } text
                    && text[10] == 'T')
                {
                    var at = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                    at.Offset.ShouldBe(TimeSpan.Zero, line.Json);
                    at.ShouldBeLessThan(end, line.Json);
                    times++;
                }

        times.ShouldBeGreaterThan(history.Lines.Count);
    }

    [Fact]
    public void lines_of_an_episode_are_contiguous_and_episodes_in_report_order()
    {
        var history = Small.Value;
        var seen = new HashSet<Guid>();
        Guid? current = null;
        var lastReport = DateTimeOffset.MinValue;
        foreach (var line in history.Lines)
        {
            if (line.Message is ReportMissing report)
            {
                seen.Add(report.EpisodeId!.Value).ShouldBeTrue();
                report.ReportedAt!.Value.ShouldBeGreaterThanOrEqualTo(lastReport);
                (current, lastReport) = (report.EpisodeId, report.ReportedAt.Value);
            }
            else line.EpisodeId.ShouldBe(current);
        }
    }

    [Fact]
    public void a_person_keeps_one_subject_id_in_a_force_and_some_are_reported_by_two_forces()
    {
        var reports = Small.Value.Lines.Where(l => l.Message is ReportMissing)
            .Select(l => (l.Force, ((ReportMissing)l.Message).Person!)).ToList();
        foreach (var record in reports.GroupBy(r => (r.Force, r.Item2.ForceSubjectId)))
            record.Select(r => (r.Item2.FamilyName, r.Item2.DateOfBirth)).Distinct().Count().ShouldBe(1);
        foreach (var person in reports.GroupBy(r => (r.Force, r.Item2.GivenName, r.Item2.FamilyName, r.Item2.DateOfBirth)))
            person.Select(r => r.Item2.ForceSubjectId).Distinct().Count().ShouldBe(1);

        // The same child under two forces' references: the register must link them (domain.md: repeat missing).
        var acrossForces = reports.GroupBy(r => (r.Item2.GivenName, r.Item2.FamilyName, r.Item2.DateOfBirth))
            .Count(g => g.Select(r => r.Force).Distinct().Count() > 1 && g.Select(r => r.Item2.ForceSubjectId).Distinct().Count() > 1);
        acrossForces.ShouldBeGreaterThan(5);
    }

    [Fact]
    public void return_interviews_are_for_children_and_most_are_within_72_hours()
    {
        var history = Small.Value;
        var found = history.FoundAt();
        var interviews = history.Lines.Where(l => l.Message is RecordReturnInterview).ToList();
        var completedInTime = interviews.Count(l => l.Message is RecordReturnInterview { Outcome: "Completed" } i
            && i.ConductedAt!.Value - found[l.EpisodeId!.Value] <= EpisodeRules.ReturnInterviewWindow);
        // DfE 2014 asks for 72 hours; about 63% are done in time.
        ((double)completedInTime / interviews.Count).ShouldBeInRange(0.55, 0.7);
        interviews.ShouldContain(l => ((RecordReturnInterview)l.Message).Outcome == "Declined");
    }

    private static void Accepted(Decision decision, Line line)
    {
        decision.Refusal.ShouldBeNull($"{decision.Refusal?.Title}: {decision.Refusal?.Detail} for {line.Json}");
        decision.Events.Count.ShouldBe(1);
    }

    private static IReadOnlyList<object> Decide(object message, Episode episode, List<IEvent> stream, string? force, DateTimeOffset now,
        Line line)
    {
        var decision = message switch
        {
            AssessRisk c => AssessRiskEndpoint.Decide(episode, Valid(AssessRiskEndpoint.Validate(c).Item1, line), now),
            RecordSighting c => RecordSightingEndpoint.Decide(episode, Valid(RecordSightingEndpoint.Validate(c).Item1, line), now),
            RecordFound c => RecordFoundEndpoint.Decide(episode, Valid(RecordFoundEndpoint.Validate(c).Item1, line), now),
            RecordReturnInterview c => RecordReturnInterviewEndpoint.Decide(episode,
                Valid(RecordReturnInterviewEndpoint.Validate(c).Item1, line), now),
            ReviewEpisode c => ReviewEpisodeEndpoint.Decide(episode, Valid(ReviewEpisodeEndpoint.Validate(c).Item1, line), now),
            TransferEpisode c => TransferEpisodeEndpoint.Decide(episode,
                Valid(TransferEpisodeEndpoint.Validate(c, Reference).Item1, line), now),
            CloseEpisode c => CloseEpisodeEndpoint.Decide(episode, Valid(CloseEpisodeEndpoint.Validate(c).Item1, line), now),
            CorrectEpisode c => CorrectEpisodeEndpoint.Decide(episode, Valid(CorrectEpisodeEndpoint.Validate(c, Reference).Item1, line),
                stream, force!, now),
            _ => throw new InvalidOperationException($"Unexpected message {line.Json}"),
        };
        Accepted(decision, line);
        return decision.Events;
    }

    private static T Valid<T>(T? typed, Line line) where T : class => typed.ShouldNotBeNull($"{line.Json} is not valid");

    private static Episode Evolve(Episode episode, object e) => e switch
    {
        RiskAssessed x => episode.Apply(x),
        SightingRecorded x => episode.Apply(x),
        PersonFound x => episode.Apply(x),
        ReturnInterviewRecorded x => episode.Apply(x),
        EpisodeClosed x => episode.Apply(x),
        EpisodeTransferred x => episode.Apply(x),
        LastSeenCorrected x => episode.Apply(x),
        PersonDetailsCorrected x => episode.Apply(x),
        LocalAuthorityCorrected x => episode.Apply(x),
        EpisodeRelinked x => episode.Apply(x),
        EventRetracted x => episode.Apply(x),
        EpisodeReviewed x => episode.Apply(x),
        _ => throw new InvalidOperationException($"No Apply for {e.GetType().Name}"),
    };

    /// <summary>An event as Marten stores it: its version and its type's name (snake case, e.g. sighting_recorded).</summary>
    private static Event<object> Stored(object data, long version) => new(data)
    {
        Version = version,
        EventTypeName = string.Concat(data.GetType().Name.Select((c, i) =>
            i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())),
    };

    /// <summary>A line as the importer gets it: the JSON, and its message read back into the command record it names.</summary>
    private sealed record Line(string Json, string Type, Guid? EpisodeId, string? Force, string? LocalAuthority, object Message);

    private sealed record History(SeedSettings Settings, IReadOnlyList<Line> Lines, long Episodes)
    {
        private static readonly Dictionary<string, Type> Commands = new[]
        {
            typeof(ReportMissing), typeof(AssessRisk), typeof(RecordSighting), typeof(RecordFound), typeof(RecordReturnInterview),
            typeof(ReviewEpisode), typeof(TransferEpisode), typeof(CloseEpisode), typeof(CorrectEpisode),
        }.ToDictionary(t => t.Name);

        public Dictionary<Guid, DateTimeOffset> FoundAt() => Lines.Where(l => l.Message is RecordFound)
            .ToDictionary(l => l.EpisodeId!.Value, l => ((RecordFound)l.Message).FoundAt!.Value);

        public static History Of(SeedSettings settings)
        {
            var generator = new SyntheticHistory();
            var lines = generator.Generate(settings).Select(l => Read(l.ToJson())).ToList();
            return new History(settings, lines, generator.Episodes);
        }

        private static Line Read(string json)
        {
            var root = JsonDocument.Parse(json).RootElement;
            var type = root.GetProperty("type").GetString()!;
            string? Text(string name) => root.TryGetProperty(name, out var p) ? p.GetString() : null;
            var message = root.GetProperty("message").Deserialize(Commands[type], SeedLine.MessageOptions)!;
            return new Line(json, type, Text("episodeId") is { } id ? Guid.Parse(id) : null, Text("force"), Text("localAuthority"),
                message);
        }
    }
}
