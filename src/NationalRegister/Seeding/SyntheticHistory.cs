using System.Globalization;
using Bogus;
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

namespace NationalRegister.Seeding;

/// <param name="Until">The last day of the history: nothing in it happens after that day's end (UTC).</param>
public sealed record SeedSettings(int Years, double Scale, int Seed, DateOnly Until)
{
    /// <summary>Midnight UTC after the last day: every time in the history is before it.</summary>
    public DateTimeOffset End => Midnight(Until.AddDays(1));

    public DateOnly FirstDay => Until.AddYears(-Years).AddDays(1);

    public long EstimatedEpisodes => (long)Math.Round(Years * SyntheticHistory.EpisodesPerYear * Scale);

    internal static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>
/// A synthetic national history of missing episodes, as the messages forces and children's services send the register, in
/// the order they happen. Pure and deterministic: no clock, no database; one seeded <see cref="Random"/> for everything but
/// names, and Bogus with its own seeded <see cref="Randomizer"/> for those. Streams day by day: only the returners who are
/// due to go missing again are kept, in a bounded pool, so memory stays flat however long the history.
/// Figures are domain.md's unless said.
/// </summary>
public sealed class SyntheticHistory
{
    /// <summary>360,000-400,000 incidents a year in England and Wales (domain.md: Scale).</summary>
    public const double EpisodesPerYear = 380_000;

    /// <summary>People reported for the first time: with their returns, about 380,000 episodes of about 200,000 people a year.</summary>
    private const double NewPeoplePerYear = 170_000;

    public long Episodes { get; private set; }

    /// <summary>Different people in the history (one person reported by two forces counts once).</summary>
    public long People { get; private set; }

    public IEnumerable<SeedLine> Generate(SeedSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Years, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.Scale);
        Episodes = People = 0;
        var run = new Run(settings);
        foreach (var line in run.Lines())
        {
            (Episodes, People) = (run.Episodes, run.People);
            yield return line;
        }

        (Episodes, People) = (run.Episodes, run.People);
    }

    /// <summary>A force area: its relative size (population in millions, 2021 census, rounded) and its local authorities.</summary>
    private sealed record Area(string Code, double Weight, string[] LocalAuthorities);

    // The 43 territorial forces; British Transport Police is left out (its cases are few and mostly passed on). City of London
    // is weighted by its daytime population, not its 10,000 residents. Authorities are those with children's services.
    private static readonly Area[] Areas =
    [
        new("AVS", 1.76, ["E06000022", "E06000023", "E06000024", "E06000025", "E06000066"]),
        new("BDH", 0.70, ["E06000055", "E06000056", "E06000032"]),
        new("CAM", 0.90, ["E10000003", "E06000031"]),
        new("CHE", 1.10, ["E06000049", "E06000050", "E06000006", "E06000007"]),
        new("COL", 0.10, ["E09000001"]),
        new("CLE", 0.57, ["E06000001", "E06000002", "E06000003", "E06000004"]),
        new("CUM", 0.50, ["E06000063", "E06000064"]),
        new("DER", 1.05, ["E10000007", "E06000015"]),
        new("DAC", 1.80, ["E10000008", "E06000026", "E06000027", "E06000052", "E06000053"]),
        new("DOR", 0.78, ["E06000058", "E06000059"]),
        new("DUR", 0.63, ["E06000047", "E06000005"]),
        new("DYP", 0.52, ["W06000008", "W06000009", "W06000010", "W06000023"]),
        new("ESX", 1.85, ["E10000012", "E06000033", "E06000034"]),
        new("GLO", 0.65, ["E10000013"]),
        new("GMP", 2.87, ["E08000001", "E08000002", "E08000003", "E08000004", "E08000005", "E08000006", "E08000007", "E08000008",
            "E08000009", "E08000010"]),
        new("GWE", 0.60, ["W06000018", "W06000019", "W06000020", "W06000021", "W06000022"]),
        new("HAM", 2.00, ["E10000014", "E06000044", "E06000045", "E06000046"]),
        new("HER", 1.20, ["E10000015"]),
        new("HUM", 0.93, ["E06000010", "E06000011", "E06000012", "E06000013"]),
        new("KEN", 1.86, ["E10000016", "E06000035"]),
        new("LAN", 1.53, ["E10000017", "E06000008", "E06000009"]),
        new("LEI", 1.10, ["E10000018", "E06000016", "E06000017"]),
        new("LIN", 0.77, ["E10000019"]),
        new("MER", 1.42, ["E08000011", "E08000012", "E08000013", "E08000014", "E08000015"]),
        new("MET", 8.80, [.. Enumerable.Range(2, 32).Select(n => $"E090000{n:D2}")]),
        new("NFK", 0.92, ["E10000020"]),
        new("NWP", 0.70, ["W06000001", "W06000002", "W06000003", "W06000004", "W06000005", "W06000006"]),
        new("NYP", 0.83, ["E06000065", "E06000014"]),
        new("NTH", 0.79, ["E06000061", "E06000062"]),
        new("NBR", 1.47, ["E06000057", "E08000021", "E08000022", "E08000023", "E08000024", "E08000037"]),
        new("NOT", 1.16, ["E10000024", "E06000018"]),
        new("SWP", 1.33, ["W06000011", "W06000012", "W06000013", "W06000014", "W06000015", "W06000016", "W06000024"]),
        new("SYP", 1.42, ["E08000016", "E08000017", "E08000018", "E08000019"]),
        new("STA", 1.13, ["E10000028", "E06000021"]),
        new("SFK", 0.76, ["E10000029"]),
        new("SUR", 1.20, ["E10000030"]),
        new("SUS", 1.70, ["E10000011", "E10000032", "E06000043"]),
        new("TVP", 2.50, ["E10000025", "E06000060", "E06000036", "E06000037", "E06000038", "E06000039", "E06000040", "E06000041",
            "E06000042"]),
        new("WAR", 0.60, ["E10000031"]),
        new("WMC", 1.30, ["E06000019", "E06000020", "E06000051", "E10000034"]),
        new("WMP", 2.92, ["E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030", "E08000031"]),
        new("WYP", 2.35, ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036"]),
        new("WIL", 0.73, ["E06000054", "E06000030"]),
    ];

    /// <summary>The force codes the history uses, for tests.</summary>
    public static IReadOnlyList<string> ForceCodes { get; } = [.. Areas.Select(a => a.Code)];

    private static readonly double TotalWeight = Areas.Sum(a => a.Weight);

    // Reports by hour of day (UTC): fewest before dawn, most in the evening when children are due home.
    private static readonly double[] ReportHours = [3, 2, 2, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 5, 5, 6, 7, 7, 8, 8, 8, 7, 6, 4];

    private sealed class Person
    {
        public required long Serial { get; init; }
        public required string GivenName { get; init; }
        public required string FamilyName { get; init; }
        public required DateOnly DateOfBirth { get; init; }
        public required string Sex { get; init; }
        public required int HomeForce { get; init; }
        /// <summary>The authority responsible for a child (the one in whose care they are, placed out of area or not).</summary>
        public required string? LocalAuthority { get; init; }
        public int EpisodesLeft { get; set; }
        public TimeSpan MeanGap { get; init; }
        public DateTimeOffset ActiveUntil { get; init; }
        public DateTimeOffset? LastFound { get; set; }
        public bool Written { get; set; }
    }

    private enum Actor { Owner, LocalAuthority }

    private enum Fix { LastSeen, Authority, Name, None }

    /// <summary>Something that happens in an episode; its message is made once its place (so its expected version) is known.</summary>
    /// <param name="Refers">The index of the step whose version the message names (a retraction), or -1.</param>
    private sealed record Step(DateTimeOffset At, int Order, Actor Actor, Func<long, long, object> Message, int Refers = -1)
    {
        public int ToForce { get; init; } = -1;
        public string? SetsLocalAuthority { get; init; }
    }

    private sealed class Run(SeedSettings settings)
    {
        private readonly Random _random = new(settings.Seed);
        // Its own generator, seeded apart from the other so names do not follow the same draws; never Bogus's global seed.
        private readonly Faker _names = new("en_GB") { Random = new Randomizer(unchecked(settings.Seed * 7919 + 104_729)) };
        private readonly PriorityQueue<Person, (long Ticks, long Serial)> _returners = new();
        private readonly ReviewIntervals _reviews = new();
        private readonly int[] _references = new int[Areas.Length];
        private readonly int[] _referenceYears = new int[Areas.Length];
        // Bounded memory: a returner beyond this (well above the steady state) is not scheduled again.
        private readonly int _maxReturners = (int)Math.Max(1_000, 400_000 * settings.Scale);
        private readonly DateTimeOffset _end = settings.End;
        private long _serial;

        public long Episodes { get; private set; }
        public long People { get; private set; }

        public IEnumerable<SeedLine> Lines()
        {
            var newPerDay = NewPeoplePerYear * settings.Scale / 365.25;
            // A year before the first day is lived but not written, so the first year already has its returners.
            for (var day = settings.FirstDay.AddYears(-1); day <= settings.Until; day = day.AddDays(1))
            {
                var start = SeedSettings.Midnight(day);
                var dayEnd = start.AddDays(1);
                var today = new List<(DateTimeOffset At, Person Person)>();
                for (var n = Poisson(newPerDay); n > 0; n--) today.Add((start + ReportTimeOfDay(), NewPerson(day)));
                while (_returners.TryPeek(out var returner, out var due) && due.Ticks < dayEnd.UtcTicks)
                {
                    _returners.Dequeue();
                    today.Add((new DateTimeOffset(due.Ticks, TimeSpan.Zero), returner));
                }
                today.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Person.Serial.CompareTo(b.Person.Serial));

                foreach (var (reportedAt, person) in today)
                {
                    var lines = Episode(person, reportedAt, dayEnd);
                    if (day < settings.FirstDay) continue;
                    Episodes++;
                    if (!person.Written) (person.Written, People) = (true, People + 1);
                    foreach (var line in lines) yield return line;
                }
            }
        }

        private Person NewPerson(DateOnly day)
        {
            var home = Pick();
            // Two thirds of incidents are children, most aged 12-17; most child incidents are repeats.
            var child = Chance(0.62);
            var age = child ? Weighted([2, 2, 3, 4, 6, 11, 18, 23, 20, 11]) + 8 : AdultAge();
            var sex = Chance(child ? 0.5 : 0.6) ? "Male" : "Female";
            // Children in care are often placed out of area: their authority is another force's.
            var authorities = Areas[Chance(0.08) ? Pick() : home].LocalAuthorities;
            var returns = Chance(child ? 0.45 : 0.25) ? Returns() : 0;
            var span = TimeSpan.FromDays(LogUniform(14, 2 * 365));
            var firstSeen = SeedSettings.Midnight(day);
            var dateOfBirth = day.AddYears(-age).AddDays(-_random.Next(365));
            var adulthood = SeedSettings.Midnight(dateOfBirth.AddYears(19));
            return new Person
            {
                Serial = ++_serial,
                GivenName = _names.Name.FirstName(sex == "Male" ? Bogus.DataSets.Name.Gender.Male : Bogus.DataSets.Name.Gender.Female),
                FamilyName = _names.Name.LastName(),
                DateOfBirth = dateOfBirth,
                Sex = sex,
                HomeForce = home,
                LocalAuthority = child && Chance(0.92) ? authorities[_random.Next(authorities.Length)] : null,
                EpisodesLeft = returns,
                MeanGap = returns == 0 ? TimeSpan.Zero : TimeSpan.FromDays(Math.Max(2, span.TotalDays / returns)),
                // A child's returns stop within a year of turning 18 (leaving care).
                ActiveUntil = child ? adulthood : DateTimeOffset.MaxValue,
            };
        }

        /// <summary>How many more times a returner goes missing: a heavy tail, up to a hundred times (Pareto, shape 1.2).</summary>
        private int Returns() => (int)Math.Min(100, Math.Floor(Math.Pow(1 - _random.NextDouble(), -1 / 1.2)));

        private int AdultAge() => Weighted([28, 30, 27, 15]) switch
        {
            0 => _random.Next(18, 25),
            1 => _random.Next(25, 40),
            2 => _random.Next(40, 60),
            _ => _random.Next(60, 96),
        };

        private List<SeedLine> Episode(Person person, DateTimeOffset reportedAt, DateTimeOffset dayEnd)
        {
            // A returner is now and then reported by another force, which knows them under its own subject id.
            var reporter = person.LastFound is not null && Chance(0.05) ? Other(person.HomeForce) : person.HomeForce;
            var lastSeen = reportedAt - Minutes(Math.Min(72 * 60, Math.Exp(Normal(Math.Log(90), 1.1))));
            if (person.LastFound is { } before && lastSeen <= before) lastSeen = before + Minutes(1);
            var child = EpisodeRules.IsChild(person.DateOfBirth, lastSeen);
            var duration = Duration();
            DateTimeOffset? found = duration is { } d ? reportedAt + d : null;
            var stop = found is { } f && f < _end ? f : _end;
            var episodeId = NewGuid();
            var steps = new List<Step>();
            void Add(DateTimeOffset at, Actor actor, Func<long, long, object> message, int refers = -1) =>
                steps.Add(new Step(at, steps.Count, actor, message, refers));

            // Corrections: a force puts right what it first sent (CorrectEpisode's shapes), about 2% of episodes.
            var fix = (Fix)Weighted([0.8, child && person.LocalAuthority is not null ? 0.6 : 0, 0.6, 98]);
            var sentLastSeen = lastSeen - Minutes(_random.Next(30, 240));
            if (fix == Fix.LastSeen && EpisodeRules.IsChild(person.DateOfBirth, sentLastSeen) != child) fix = Fix.None;
            var sentAuthority = !child ? null : fix == Fix.Authority ? WrongAuthority(person) : person.LocalAuthority;
            var sentName = fix == Fix.Name ? Misspelt(person.GivenName) : null;
            if (fix == Fix.Name && sentName is null) fix = Fix.None;

            var report = new ReportMissing(NewGuid(), episodeId, Reference(reporter, reportedAt),
                new PersonInput(
                    SubjectId(person, reporter), sentName ?? person.GivenName, person.FamilyName, person.DateOfBirth, person.Sex),
                fix == Fix.LastSeen ? sentLastSeen : lastSeen, Pick(child ? ChildPlaces : AdultPlaces),
                Pick(child ? ChildCircumstances : AdultCircumstances), reportedAt, Pick(child ? ChildReporters : AdultReporters),
                sentAuthority);
            Add(reportedAt, Actor.Owner, (_, _) => report);

            var level = InitialRisk();
            var assessedAt = reportedAt + Minutes(_random.Next(2, (int)Math.Clamp((stop - reportedAt).TotalMinutes / 2, 3, 90)));
            AddAssessment(assessedAt, level, Rationale(level));
            if (fix != Fix.None)
            {
                var (what, value, reason) = fix switch
                {
                    Fix.LastSeen => (Corrected.LastSeenAt,
                        lastSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                        "Last seen later than first reported: CCTV shows the person leaving."),
                    Fix.Authority => (Corrected.LocalAuthority, person.LocalAuthority!,
                        "Recorded under the wrong local authority: the child is in the care of another."),
                    _ => (Corrected.GivenName, person.GivenName,
                        "Given name misspelt in the first report; spelling confirmed by the family."),
                };
                Add(assessedAt + Minutes(_random.Next(1, 30)), Actor.Owner,
                    (version, _) => new CorrectEpisode(NewGuid(), version, what.ToString(), value, null, reason));
                if (fix == Fix.Authority) steps[^1] = steps[^1] with { SetsLocalAuthority = person.LocalAuthority };
            }

            // Re-grading: risk is re-assessed as time passes (APP); a case still open after a day is often escalated.
            DateTimeOffset? escalation = duration > TimeSpan.FromHours(24) && level < RiskLevel.High && Chance(0.35)
                ? reportedAt + Minutes(_random.Next(18 * 60, 30 * 60)) : null;
            var nextReview = reportedAt + _reviews.For(Areas[reporter].Code, level);
            while (true)
            {
                var next = escalation is { } e && e < nextReview ? e : nextReview;
                if (next >= stop) break;
                if (escalation == next)
                {
                    escalation = null;
                    if (level == RiskLevel.High) continue;
                    level++;
                    AddAssessment(next, level, "Re-graded: still missing after a day, " + Rationale(level));
                    continue;
                }

                var confirmed = !Chance(0.1) || next + Minutes(10) >= stop;
                DateTimeOffset? due = Chance(0.1) ? next + Minutes(_random.Next(2 * 60, 48 * 60)) : null;
                // Nothing in the history is after its end, not even a review planned for later.
                if (due >= _end) due = null;
                var reviewer = $"Insp {_random.Next(1000, 9999)}";
                Add(next, Actor.Owner, (version, _) => new ReviewEpisode(NewGuid(), version, reviewer, next, confirmed, due));
                if (!confirmed)
                {
                    level = level == RiskLevel.High || (level > RiskLevel.VeryLow && Chance(0.5)) ? level - 1 : level + 1;
                    AddAssessment(next + Minutes(10), level, "Re-graded at supervisory review: " + Rationale(level));
                }

                var open = next - reportedAt;
                var floor = TimeSpan.FromDays(open > TimeSpan.FromDays(90) ? 30 : open > TimeSpan.FromDays(14) ? 7 : 0);
                var interval = _reviews.For(Areas[reporter].Code, level);
                nextReview = due ?? next + (interval > floor ? interval : floor);
            }

            var sightings = duration switch
            {
                null => 1 + Poisson(1.5),
                { TotalHours: < 6 } => Chance(0.1) ? 1 : 0,
                { TotalHours: < 48 } => Poisson(0.7),
                _ => Math.Min(6, 1 + Poisson(1.5)),
            };
            var firstSighting = -1;
            for (var i = 0; i < sightings; i++)
            {
                var seenAt = reportedAt + Minutes((stop - reportedAt).TotalMinutes * _random.NextDouble());
                var (where, source) = (Pick(SightingPlaces), Pick(SightingSources));
                if (firstSighting < 0) firstSighting = steps.Count;
                Add(seenAt, Actor.Owner, (version, _) => new RecordSighting(NewGuid(), version, seenAt, where, source));
            }

            // A sighting of someone else, taken back.
            if (firstSighting >= 0 && Chance(0.03))
                Add(steps[firstSighting].At + Minutes(_random.Next(60, 360)), Actor.Owner, (version, retracts) =>
                    new CorrectEpisode(NewGuid(), version, nameof(Corrected.Retraction), null, retracts,
                        "Sighting was of someone else: the witness confirmed it was not this person."), firstSighting);

            // Transfer: seen in another force's area, which takes the case and finds the person (APP: transfer of investigation).
            if (duration > TimeSpan.FromHours(6) && Chance(0.03))
            {
                var to = Other(reporter);
                var seenAt = reportedAt + Minutes(duration.Value.TotalMinutes * (0.2 + 0.5 * _random.NextDouble()));
                var where = $"{Pick(SightingPlaces)}, {Areas[to].Code} area";
                Add(seenAt, Actor.Owner, (version, _) => new RecordSighting(NewGuid(), version, seenAt, where, "Patrol officer"));
                Add(seenAt + Minutes(_random.Next(20, 60)), Actor.Owner, (version, _) => new TransferEpisode(NewGuid(), version,
                    Areas[to].Code,
                    $"Believed to be in the {Areas[to].Code} area after a sighting there: that force takes the investigation."));
                steps[^1] = steps[^1] with { ToForce = to };
            }

            var outcome = Outcome();
            if (found is { } foundAt)
            {
                var (where, by) = (Pick(FoundPlaces), Pick(Finders));
                Add(foundAt, Actor.Owner, (version, _) => new RecordFound(NewGuid(), version, foundAt, where, by, outcome.ToString()));
                var closeFrom = foundAt;
                if (child && outcome != FoundOutcome.Deceased)
                {
                    var (at, actor, interview) = ReturnInterview(person, foundAt);
                    Add(at, actor, interview);
                    closeFrom = at;
                }

                var closedAt = closeFrom + Minutes(LogUniform(30, 48 * 60));
                var closer = $"PS {_random.Next(1000, 9999)}";
                Add(closedAt, Actor.Owner, (version, _) => new CloseEpisode(NewGuid(), version, closedAt, closer, Summary(outcome)));
            }

            Schedule(person, found, outcome, dayEnd);
            return Written(steps, _end, episodeId, reporter, sentAuthority);

            void AddAssessment(DateTimeOffset at, RiskLevel grade, string rationale)
            {
                // Before January 2017 the lowest grade was "no apparent risk" (APP); the register maps it onto VeryLow.
                var given = grade == RiskLevel.VeryLow && at.Year < 2017 ? "NoApparentRisk" : grade.ToString();
                var assessor = $"PS {_random.Next(1000, 9999)}";
                Add(at, Actor.Owner, (version, _) => new AssessRisk(NewGuid(), version, given, rationale, assessor, at));
            }
        }

        /// <summary>
        /// The return home interview a child is offered (DfE 2014: within 72 hours); about 63% are done within 72 hours, the
        /// rest later, declined or not possible. Mostly recorded by children's services, otherwise by the owning force.
        /// </summary>
        private (DateTimeOffset At, Actor Actor, Func<long, long, object> Message) ReturnInterview(Person person, DateTimeOffset foundAt)
        {
            var (outcome, hours) = Weighted([63, 17, 12, 8]) switch
            {
                0 => (ReturnInterviewOutcome.Completed, LogUniform(2, 71)),
                1 => (ReturnInterviewOutcome.Completed, LogUniform(73, 21 * 24)),
                2 => (ReturnInterviewOutcome.Declined, LogUniform(1, 5 * 24)),
                _ => (ReturnInterviewOutcome.NotPossible, LogUniform(72, 14 * 24)),
            };
            var at = foundAt + Minutes(hours * 60);
            var actor = person.LocalAuthority is not null && Chance(0.85) ? Actor.LocalAuthority : Actor.Owner;
            var by = actor == Actor.LocalAuthority ? "Independent return interviewer" : $"PC {_random.Next(1000, 9999)}";
            string?[] disclosures = outcome == ReturnInterviewOutcome.Completed
                ? [.. Disclosures.Where(d => Chance(d.Share)).Select(d => d.Text)]
                : [];
            return (at, actor, (version, _) => new RecordReturnInterview(NewGuid(), version, outcome.ToString(), at, by, disclosures));
        }

        /// <summary>When the returner goes missing next, if they do before the end; the dead and the never found do not.</summary>
        private void Schedule(Person person, DateTimeOffset? found, FoundOutcome outcome, DateTimeOffset dayEnd)
        {
            if (person.EpisodesLeft == 0 || found is not { } at || outcome == FoundOutcome.Deceased) return;
            person.EpisodesLeft--;
            person.LastFound = at;
            var next = at + TimeSpan.FromHours(12) + Minutes(-person.MeanGap.TotalMinutes * Math.Log(1 - _random.NextDouble()));
            // The day's reports are already out: a return due today goes to tomorrow, keeping the history in report order.
            if (next < dayEnd) next = next.AddDays(1);
            if (next < _end && next < person.ActiveUntil && _returners.Count < _maxReturners)
                _returners.Enqueue(person, (next.UtcTicks, person.Serial));
        }

        /// <summary>The steps in the order they happen, each sent by whoever acts then, with the version it expects.</summary>
        /// <remarks>What would happen after the end has not happened yet: it is left out.</remarks>
        private static List<SeedLine> Written(List<Step> steps, DateTimeOffset end, Guid episodeId, int reporter, string? authority)
        {
            var ordered = steps.Where(s => s.At < end).ToList();
            ordered.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));
            var versions = new long[steps.Count];
            var lines = new List<SeedLine>(ordered.Count);
            var owner = reporter;
            foreach (var step in ordered)
            {
                var version = lines.Count;
                versions[step.Order] = version + 1;
                var message = step.Message(version, step.Refers >= 0 ? versions[step.Refers] : 0);
                lines.Add(step.Actor == Actor.LocalAuthority
                    ? new SeedLine(episodeId, null, authority, message)
                    : new SeedLine(version == 0 ? null : episodeId, Areas[owner].Code, null, message));
                if (step.ToForce >= 0) owner = step.ToForce;
                if (step.SetsLocalAuthority is not null) authority = step.SetsLocalAuthority;
            }

            return lines;
        }

        /// <summary>
        /// From the report: 75% found within a day, 85% within two, a few after months or years and a very few never
        /// (so a few thousand are open at any time nationally).
        /// </summary>
        private TimeSpan? Duration() => Weighted([40, 35, 10, 13.5, 1.35, 0.1, 0.05]) switch
        {
            0 => Minutes(LogUniform(15, 6 * 60)),
            1 => Minutes(_random.Next(6 * 60, 24 * 60)),
            2 => Minutes(_random.Next(24 * 60, 48 * 60)),
            3 => Minutes(LogUniform(48 * 60, 30 * 24 * 60)),
            4 => Minutes(LogUniform(30 * 24 * 60, 365 * 24 * 60)),
            5 => Minutes(LogUniform(365 * 24 * 60, 5 * 365 * 24 * 60)),
            _ => null,
        };

        // Mostly low or medium, some high, a few very low (APP grades).
        private RiskLevel InitialRisk() => Weighted([6, 42, 42, 10]) switch
        {
            0 => RiskLevel.VeryLow,
            1 => RiskLevel.Low,
            2 => RiskLevel.Medium,
            _ => RiskLevel.High,
        };

        // 96% found safe, 3% harmed, 0.4% dead; the rest victims of crime.
        private FoundOutcome Outcome() => Weighted([96, 3, 0.6, 0.4]) switch
        {
            0 => FoundOutcome.SafeAndWell,
            1 => FoundOutcome.Harmed,
            2 => FoundOutcome.CrimeVictim,
            _ => FoundOutcome.Deceased,
        };

        private string Reference(int force, DateTimeOffset reportedAt)
        {
            if (_referenceYears[force] != reportedAt.Year) (_referenceYears[force], _references[force]) = (reportedAt.Year, 0);
            return $"{Areas[force].Code}-{reportedAt.Year}-{++_references[force]:D6}";
        }

        /// <summary>Each force numbers its own subjects: the same person has one id in a force and an unrelated one in another.</summary>
        private uint SubjectNumber(Person person, int force) =>
            unchecked((uint)person.Serial * 2_654_435_761u + (uint)force * 40_503u + (uint)settings.Seed);

        private string SubjectId(Person person, int force) => $"{Areas[force].Code}-S{SubjectNumber(person, force):D10}";

        private string WrongAuthority(Person person)
        {
            var authorities = Areas[person.HomeForce].LocalAuthorities;
            var wrong = authorities[_random.Next(authorities.Length)];
            return wrong != person.LocalAuthority ? wrong : Areas[Other(person.HomeForce)].LocalAuthorities[0];
        }

        private string? Misspelt(string name)
        {
            if (name.Length < 4) return null;
            var i = _random.Next(1, name.Length - 2);
            return name[i] == name[i + 1]
                ? null
                : string.Concat(name.AsSpan(0, i), name.AsSpan(i + 1, 1), name.AsSpan(i, 1), name.AsSpan(i + 2));
        }

        private int Pick()
        {
            var x = _random.NextDouble() * TotalWeight;
            for (var i = 0; i < Areas.Length; i++)
                if ((x -= Areas[i].Weight) < 0) return i;
            return Areas.Length - 1;
        }

        private int Other(int force)
        {
            var other = Pick();
            return other != force ? other : (force + 1 + _random.Next(Areas.Length - 1)) % Areas.Length;
        }

        private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

        private bool Chance(double p) => _random.NextDouble() < p;

        private int Weighted(double[] weights)
        {
            var x = _random.NextDouble() * weights.Sum();
            for (var i = 0; i < weights.Length; i++)
                if ((x -= weights[i]) < 0) return i;
            return weights.Length - 1;
        }

        private double LogUniform(double low, double high) => low * Math.Pow(high / low, _random.NextDouble());

        private double Normal(double mean, double sd) =>
            mean + sd * Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

        private int Poisson(double mean)
        {
            if (mean > 30) return Math.Max(0, (int)Math.Round(Normal(mean, Math.Sqrt(mean))));
            var (limit, n, p) = (Math.Exp(-mean), 0, _random.NextDouble());
            while (p > limit) (n, p) = (n + 1, p * _random.NextDouble());
            return n;
        }

        private TimeSpan ReportTimeOfDay() => TimeSpan.FromHours(Weighted(ReportHours)) + TimeSpan.FromSeconds(_random.Next(3600));

        /// <summary>Whole seconds: times read as a force's system writes them.</summary>
        private static TimeSpan Minutes(double minutes) => TimeSpan.FromSeconds(Math.Round(minutes * 60));

        private Guid NewGuid()
        {
            Span<byte> bytes = stackalloc byte[16];
            _random.NextBytes(bytes);
            bytes[7] = (byte)(bytes[7] & 0x0F | 0x40); // version 4
            bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // RFC 4122 variant
            return new Guid(bytes);
        }

        private static string Rationale(RiskLevel level) => level switch
        {
            RiskLevel.VeryLow => "no apparent risk: stays out regularly and always returns unharmed.",
            RiskLevel.Low => "harm unlikely: known associates, a history of returning safely.",
            RiskLevel.Medium => "harm likely but not serious: vulnerable, out overnight, phone switched off.",
            _ => "harm very likely: risk of exploitation or self-harm; immediate deployment, UK Missing Persons Unit notified.",
        };

        private static string Summary(FoundOutcome outcome) => outcome switch
        {
            FoundOutcome.SafeAndWell => "Found safe and well; prevention interview done, no further police action.",
            FoundOutcome.Harmed => "Found with injuries; taken to hospital, safeguarding referral made.",
            FoundOutcome.CrimeVictim => "Found; a victim of crime while missing, crime recorded and referred.",
            _ => "Found deceased; the coroner informed and the family told.",
        };

        private static readonly (string Text, double Share)[] Disclosures =
        [
            ("Conflict at home", 0.3), ("Peer influence", 0.15), ("Substance misuse", 0.1), ("Child criminal exploitation", 0.08),
            ("Child sexual exploitation", 0.06), ("Bullying at school", 0.05),
        ];

        private static readonly string[] ChildPlaces =
            ["Home address", "Children's home", "Foster placement", "School", "Town centre", "Friend's address", "Park", "Bus station"];

        private static readonly string[] AdultPlaces =
            ["Home address", "Hospital ward", "Care home", "Place of work", "Town centre", "Railway station", "Supported accommodation"];

        private static readonly string[] ChildCircumstances =
        [
            "Did not return to the placement by the agreed time.", "Left home after an argument with a parent.",
            "Left school at lunchtime and did not return.", "Went out with friends and has not come home; phone switched off.",
            "Believed to be with an older group not known to carers.", "Left the children's home overnight.",
        ];

        private static readonly string[] AdultCircumstances =
        [
            "Left home without a word; out of character.", "Did not return from a walk; has dementia.",
            "Left the ward without being discharged.", "Sent messages suggesting low mood, then stopped answering.",
            "Failed to return from work.", "Left after a row with their partner.",
        ];

        private static readonly string[] ChildReporters = ["Parent", "Foster carer", "Children's home staff", "School", "Grandparent"];
        private static readonly string[] AdultReporters = ["Partner", "Parent", "Care home staff", "Hospital staff", "Friend", "Employer"];
        private static readonly string[] SightingPlaces =
            ["Town centre", "Bus station", "Railway station", "Park", "Retail park", "Takeaway"];
        private static readonly string[] SightingSources = ["CCTV", "Member of the public", "Friend", "Bus driver", "Patrol officer"];
        private static readonly string[] FoundPlaces =
            ["Home address", "Friend's address", "Town centre", "Relative's address", "Hospital"];
        private static readonly string[] Finders = ["Returned of own accord", "Police patrol", "Family", "Carer", "Member of the public"];
    }
}
