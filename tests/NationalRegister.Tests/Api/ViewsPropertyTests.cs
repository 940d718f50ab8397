using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.Analytics;
using NationalRegister.Episodes;
using NationalRegister.People;

namespace NationalRegister.Tests.Api;

public enum Step { Report, Assess, Find, Interview, Close, Transfer, Review, Merge, Unmerge, CorrectLastSeen, CorrectBirth, Retract }

/// <summary>One thing a force, a local authority or an analyst does; which episode or person it touches is picked from A, B, C.</summary>
public sealed record Op(Step Step, int A, int B, int C);

public static class Histories
{
    public static Arbitrary<Op[]> Generate()
    {
        var step = Gen.Frequency(
            (6, Gen.Constant(Step.Report)), (3, Gen.Constant(Step.Assess)), (3, Gen.Constant(Step.Find)), (2, Gen.Constant(Step.Interview)),
            (1, Gen.Constant(Step.Close)), (1, Gen.Constant(Step.Transfer)), (2, Gen.Constant(Step.Review)), (2, Gen.Constant(Step.Merge)),
            (1, Gen.Constant(Step.Unmerge)), (2, Gen.Constant(Step.CorrectLastSeen)), (1, Gen.Constant(Step.CorrectBirth)),
            (2, Gen.Constant(Step.Retract)));
        var op = from s in step from a in Gen.Choose(0, 1000) from b in Gen.Choose(0, 1000) from c in Gen.Choose(0, 1000) select new Op(s, a, b, c);
        return (from count in Gen.Choose(6, 30) from ops in op.ArrayOf(count) select ops).ToArbitrary();
    }
}

/// <summary>
/// For random histories (reports, gradings, finds, interviews, closures, transfers, reviews, merges and unmerges, and
/// corrections: last-seen times, dates of birth, retracted gradings and reviews; whatever of them the register accepts),
/// every national view equals a naive recount from the raw events.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class ViewsPropertyTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private static readonly DateTimeOffset Now = RegisterApi.Now;

    [Property(Arbitrary = [typeof(Histories)], MaxTest = 12, QuietOnSuccess = true)]
    public void every_view_equals_a_naive_recount_of_the_events(Op[] history) => Check(history).GetAwaiter().GetResult();

    private async Task Check(Op[] history)
    {
        var run = await Play(history);
        await Fixture.CaughtUp();
        var (episodes, survivorOf) = await Recount(run);
        var la = Uri.EscapeDataString(run.LocalAuthority);
        var open = episodes.Where(e => e.Status == EpisodeStatus.Missing).ToList();

        static string Missing(Guid episode, Guid person, string force, RiskLevel? risk, decimal hours) => $"{episode} {person} {force} {risk} {hours:0.0}";
        (await All<MissingNow>($"/api/analytics/open-episodes?localAuthority={la}")).Select(m => Missing(m.EpisodeId, m.PersonId, m.Force, m.RiskLevel, m.HoursMissing))
            .Order().ShouldBe(open.Select(e => Missing(e.Id, survivorOf(e.PersonId), e.Force, e.Risk, Hours(Now - e.LastSeenAt))).Order(), "open");
        (await All<MissingNow>($"/api/analytics/long-term-missing?localAuthority={la}")).Select(m => m.EpisodeId).Order()
            .ShouldBe(open.Where(e => e.LastSeenAt < Now.AddHours(-72)).Select(e => e.Id).Order(), "long-term");

        var repeat = episodes.Where(e => e.LastSeenAt > Now.AddDays(-90) && e.LastSeenAt <= Now).GroupBy(e => survivorOf(e.PersonId))
            .Where(g => g.Count() >= 2)
            .Select(g => $"{g.Key} {g.Count()} {string.Join('|', g.Select(e => e.Force).Distinct().Order(StringComparer.Ordinal))}");
        (await All<RepeatMissingPerson>($"/api/analytics/repeat-missing?localAuthority={la}&windowDays=90&minEpisodes=2"))
            .Select(p => $"{p.PersonId} {p.Episodes} {string.Join('|', p.Forces)}").Order().ShouldBe(repeat.Order(), "repeat");

        var summary = await Api.View<NationalSummary>(As.Analyst, $"/api/analytics/summary?localAuthority={la}");
        var midnight = Period.Midnight(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, Period.UkTime).DateTime));
        (summary.Open, summary.OpenHighRisk, summary.OpenOver72Hours, summary.OpenChildren, summary.OpenAdults, summary.FoundToday).ShouldBe(
            (open.Count, open.Count(e => e.Risk == RiskLevel.High), open.Count(e => e.LastSeenAt < Now.AddHours(-72)), open.Count(e => e.IsChild),
             open.Count(e => !e.IsChild), episodes.Count(e => e.FoundAt >= midnight)), "summary");
        summary.OpenByForceAndRisk.Select(c => $"{c.Force} {c.RiskLevel} {c.Open}").Order().ShouldBe(open
            .GroupBy(e => $"{e.Force} {e.Risk?.ToString() ?? "Ungraded"}").Select(g => $"{g.Key} {g.Count()}").Order(), "by force and risk");

        var intervals = new ReviewIntervals();
        (await All<OverdueReview>($"/api/analytics/reviews/overdue?localAuthority={la}")).Select(r => $"{r.EpisodeId} {r.NextReviewDue:O}").Order()
            .ShouldBe(open.Select(e => (e.Id, Due: e.NextReviewDue ?? (e.LastReviewedAt ?? e.ReportedAt) + intervals.For(e.Force, e.Risk)))
                .Where(e => e.Due < Now).Select(e => $"{e.Id} {e.Due:O}").Order(), "reviews overdue");

        var found = episodes.Where(e => e.IsChild && e.FoundAt is not null).ToList();
        (await All<OverdueReturnInterview>($"/api/analytics/return-interviews/overdue?localAuthority={la}")).Select(r => r.EpisodeId).Order()
            .ShouldBe(found.Where(e => e.InterviewAt is null && e.FoundAt < Now.AddHours(-72)).Select(e => e.Id).Order(), "interviews overdue");
        var within = found.Count(e => e.InterviewOutcome == ReturnInterviewOutcome.Completed && e.InterviewAt <= e.FoundAt + TimeSpan.FromHours(72));
        (await All<InterviewTimeliness>($"/api/analytics/return-interviews/timeliness?localAuthority={la}")).ShouldBe(found.Count == 0 ? [] :
            [new InterviewTimeliness(run.LocalAuthority, TestAgencies.NameOf(run.LocalAuthority), found.Count, found.Count(e => e.InterviewOutcome == ReturnInterviewOutcome.Completed), within,
                Math.Round((decimal)within / found.Count, 3))], "timeliness");

        var (from, to) = (DateOnly.FromDateTime(Now.AddDays(-150).UtcDateTime), DateOnly.FromDateTime(Now.UtcDateTime));
        var inPeriod = episodes.Where(e => e.LastSeenAt >= Period.Start(from) && e.LastSeenAt < Period.End(to)).ToList();
        var report = await Api.View<AnnualReport>(As.Analyst, $"/api/reports/annual?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&localAuthority={la}");
        var individuals = inPeriod.GroupBy(e => survivorOf(e.PersonId)).ToList();
        (report.Incidents, report.Individuals, report.ChildIncidents, report.AdultIndividuals).ShouldBe(
            (inPeriod.Count, individuals.Count, inPeriod.Count(e => e.IsChild), individuals.Count(g => g.Any(e => !e.IsChild))), "annual");
        report.ByOutcome.Select(b => $"{b.Key} {b.Incidents}").Order(StringComparer.Ordinal).ShouldBe(inPeriod
            .GroupBy(e => e.Outcome?.ToString() ?? "NotYetFound").Select(g => $"{g.Key} {g.Count()}").Order(StringComparer.Ordinal), "outcomes");
        report.ShareMissingMoreThanOnce.ShouldBe(individuals.Count == 0 ? 0 : Math.Round((decimal)individuals.Count(g => g.Count() > 1) / individuals.Count, 3));
    }

    private sealed record Run(string LocalAuthority, IReadOnlyList<Guid> Episodes, IReadOnlyList<Guid> People);

    private Task<Reply> Correct(As force, Guid episode, string corrects, string value) => Api.Post(force, $"/api/episodes/{episode}/corrections",
        new { messageId = RegisterApi.NewId(), corrects, value, reason = "Property test: put right" });

    /// <summary>Plays the history through the API as forces, children's services and analysts would; refusals are part of it.</summary>
    private async Task<Run> Play(Op[] history)
    {
        var forces = new[] { AnalyticsScenarios.NewForce(), AnalyticsScenarios.NewForce() };
        var localAuthority = AnalyticsScenarios.NewLocalAuthority();
        var subjects = Enumerable.Range(0, 6).Select(_ => RegisterApi.NewSubject()).ToArray();
        var people = new Guid?[6];
        var episodes = new List<(Guid Id, DateTimeOffset LastSeen)>();
        var owner = new Dictionary<Guid, int>();
        var foundAt = new Dictionary<Guid, DateTimeOffset>();
        (Guid Id, DateTimeOffset LastSeen)? Pick(int n) => episodes.Count == 0 ? null : episodes[n % episodes.Count];
        DateTimeOffset Before(DateTimeOffset at) => at < Now ? at : Now.AddMinutes(-1);

        foreach (var op in history)
        {
            switch (op.Step)
            {
                case Step.Report:
                    var p = op.A % 6;
                    var lastSeen = Now.AddHours(-(op.B % 2400) - 1);
                    var reply = await Api.ReportMissing(forces[p % 2], RegisterApi.Report(subjects[p], lastSeenAt: lastSeen,
                        dateOfBirth: DateOnly.FromDateTime(Now.UtcDateTime).AddYears(op.C % 3 == 0 ? -30 : -14), localAuthority: localAuthority));
                    if (reply.Status != HttpStatusCode.Created) break;
                    people[p] = reply.PersonId;
                    episodes.Add((reply.EpisodeId, lastSeen));
                    owner[reply.EpisodeId] = p % 2;
                    break;
                case Step.Assess when Pick(op.A) is var (id, seen):
                    await Api.AssessRisk(forces[owner[id]], id, Enum.GetNames<RiskLevel>()[op.B % 4], assessedAt: seen.AddMinutes(op.C % 50 + 1));
                    break;
                case Step.Find when Pick(op.A) is var (id, seen):
                    var at = Before(seen.AddHours(op.B % 300 + 1));
                    if ((await Api.Found(forces[owner[id]], id, at, Enum.GetNames<FoundOutcome>()[op.C % 4])).Status == HttpStatusCode.OK) foundAt[id] = at;
                    break;
                case Step.Interview when Pick(op.A) is var (id, _) && foundAt.TryGetValue(id, out var found):
                    await Api.ReturnInterview(As.ChildrensServices(localAuthority), id, Before(found.AddHours(op.B % 120 + 1)),
                        Enum.GetNames<ReturnInterviewOutcome>()[op.C % 3]);
                    break;
                case Step.Close when Pick(op.A) is var (id, _):
                    await Api.Close(forces[owner[id]], id);
                    break;
                case Step.Transfer when Pick(op.A) is var (id, _):
                    var to = 1 - owner[id];
                    var moved = await Api.Post(forces[owner[id]], $"/api/episodes/{id}/transfer",
                        new { messageId = RegisterApi.NewId(), toForce = forces[to].ForceCode, reason = "Property test" });
                    if (moved.Status == HttpStatusCode.OK) owner[id] = to;
                    break;
                case Step.Review when Pick(op.A) is var (id, _):
                    var reviewedAt = Now.AddHours(-(op.B % 48));
                    await Api.Post(forces[owner[id]], $"/api/episodes/{id}/reviews", new
                    {
                        messageId = RegisterApi.NewId(), reviewedBy = "Insp 1", reviewedAt, riskConfirmed = true,
                        nextReviewDue = op.C % 2 == 0 ? reviewedAt.AddHours(op.C % 10 + 1) : (DateTimeOffset?)null,
                    });
                    break;
                case Step.Merge when people[op.A % 6] is { } into && people[op.B % 6] is { } merged && into != merged:
                    await Api.Merge(As.Analyst, merged, into);
                    break;
                case Step.Unmerge when people[op.A % 6] is { } person:
                    await Api.Unmerge(As.Analyst, person);
                    break;
                case Step.CorrectLastSeen when Pick(op.A) is var (id, seen):
                    var corrected = seen.AddHours(-(op.B % 200) - 1);
                    if ((await Correct(forces[owner[id]], id, "lastSeenAt", corrected.ToString("O"))).Status == HttpStatusCode.OK)
                        episodes[episodes.FindIndex(e => e.Id == id)] = (id, corrected);
                    break;
                case Step.CorrectBirth when Pick(op.A) is var (id, _):
                    var birth = DateOnly.FromDateTime(Now.UtcDateTime).AddYears(op.B % 2 == 0 ? -35 : -13).AddDays(-(op.C % 300));
                    await Correct(forces[owner[id]], id, "dateOfBirth", birth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case Step.Retract when Pick(op.A) is var (id, _):
                    await Api.Post(forces[owner[id]], $"/api/episodes/{id}/corrections", new
                    {
                        messageId = RegisterApi.NewId(), corrects = "retraction", retracts = op.B % 8 + 2, reason = "Property test: recorded in error",
                    });
                    break;
            }
        }

        return new Run(localAuthority, [.. episodes.Select(e => e.Id)], [.. people.OfType<Guid>()]);
    }

    private sealed record Naive(
        Guid Id, Guid PersonId, string Force, DateOnly DateOfBirth, EpisodeStatus Status, RiskLevel? Risk, DateTimeOffset ReportedAt,
        DateTimeOffset LastSeenAt, DateTimeOffset? FoundAt, FoundOutcome? Outcome, DateTimeOffset? InterviewAt,
        ReturnInterviewOutcome? InterviewOutcome, DateTimeOffset? LastReviewedAt, DateTimeOffset? NextReviewDue)
    {
        /// <summary>Under 18 when last seen, by the date of birth and last-seen time as corrected.</summary>
        public bool IsChild => DateOfBirth.AddYears(18) > DateOnly.FromDateTime(LastSeenAt.UtcDateTime);
    }

    /// <summary>The raw events, folded by hand: no projection, no SQL.</summary>
    private async Task<(IReadOnlyList<Naive> Episodes, Func<Guid, Guid> SurvivorOf)> Recount(Run run)
    {
        await using var session = Fixture.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var episodes = new List<Naive>();
        foreach (var id in run.Episodes)
        {
            Naive? e = null;
            var stream = await session.Events.FetchStreamAsync(id);
            // A retracted grading or review never happened, as far as the views go: left out of the fold.
            var retracted = stream.Select(x => x.Data).OfType<EventRetracted>().Select(r => r.Version).ToHashSet();
            foreach (var data in stream.Where(x => !retracted.Contains(x.Version)).Select(x => x.Data))
            {
                e = data switch
                {
                    MissingReported r => new Naive(r.EpisodeId, r.PersonId, r.Force, r.Person.DateOfBirth, EpisodeStatus.Missing, null, r.ReportedAt,
                        r.LastSeenAt, null, null, null, null, null, null),
                    LastSeenCorrected c => e! with { LastSeenAt = c.To },
                    PersonDetailsCorrected c => e! with { DateOfBirth = c.To.DateOfBirth },
                    RiskAssessed r => e! with { Risk = r.Level },
                    PersonFound f => e! with { Status = EpisodeStatus.Found, FoundAt = f.FoundAt, Outcome = f.Outcome },
                    ReturnInterviewRecorded i => e! with { InterviewAt = i.ConductedAt, InterviewOutcome = i.Outcome },
                    EpisodeClosed => e! with { Status = EpisodeStatus.Closed },
                    EpisodeTransferred t => e! with { Force = t.ToForce },
                    EpisodeReviewed v => e! with { LastReviewedAt = v.ReviewedAt, NextReviewDue = v.NextReviewDue },
                    _ => e,
                };
            }

            episodes.Add(e!);
        }

        var survivors = new Dictionary<Guid, Guid>();
        foreach (var person in run.People)
        {
            foreach (var data in (await session.Events.FetchStreamAsync(person)).Select(x => x.Data))
            {
                if (data is PeopleMerged m) survivors[person] = m.IntoPersonId;
                if (data is PeopleUnmerged) survivors.Remove(person);
            }
        }

        return (episodes, person => survivors.GetValueOrDefault(person, person));
    }

    private async Task<IReadOnlyList<T>> All<T>(string url) =>
        (await Api.List<T>(As.Analyst, url + "&pageSize=500")).Items;

    private static decimal Hours(TimeSpan span) => Math.Round((decimal)span.TotalHours, 1, MidpointRounding.AwayFromZero);
}
