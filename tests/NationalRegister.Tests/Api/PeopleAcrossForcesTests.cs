using System.Net;
using NationalRegister.People.Viewing;

namespace NationalRegister.Tests.Api;

/// <summary>
/// One person across forces: every view follows merges and unmerges, whichever id is asked for; a force sees its own
/// records' details and only counts of others'; analysts see counts and an age band, never who the person is.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class PeopleAcrossForcesTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private static readonly DateOnly Fifteen = DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-15);

    [Fact]
    public async Task after_a_merge_either_id_reads_as_one_person_with_the_counts_and_forces_of_both()
    {
        var gmp = await Api.ChildReportedBy(Gmp, episodes: 2);
        var met = await Api.ChildReportedBy(Met);

        await Api.Merged(met.PersonId, gmp.PersonId);

        foreach (var asked in new[] { gmp.PersonId, met.PersonId })
        {
            var view = await Api.Person(As.Auditor, asked);
            view.PersonId.ShouldBe(gmp.PersonId);
            view.MergedFrom.ShouldBe([met.PersonId]);
            view.Episodes.ShouldBe(3);
            view.Last90Days.ShouldBe(3);
            view.OpenEpisodes.ShouldBe(3);
            view.Forces.ShouldBe(["GMP", "MET"]);
            view.EpisodesByForce.ShouldBe([new ForceEpisodes("GMP", 2), new ForceEpisodes("MET", 1)]);
        }

        (await Api.Person(Met, gmp.PersonId)).Episodes.ShouldBe(3);
        (await Api.Person(Gmp, met.PersonId)).PersonId.ShouldBe(gmp.PersonId);
        (await Api.History(As.Auditor, met.PersonId)).Where(e => e.Stream == "episode").Select(e => e.EpisodeId!.Value).Distinct()
            .ShouldBe([.. gmp.Episodes, .. met.Episodes], ignoreOrder: true);
    }

    [Fact]
    public async Task unmerging_restores_each_record_on_its_own()
    {
        var gmp = await Api.ChildReportedBy(Gmp, episodes: 2);
        var met = await Api.ChildReportedBy(Met);
        await Api.Merged(met.PersonId, gmp.PersonId);

        await Api.Unmerged(met.PersonId);

        var survivor = await Api.Person(As.Auditor, gmp.PersonId);
        survivor.MergedFrom.ShouldBeEmpty();
        survivor.Episodes.ShouldBe(2);
        survivor.Forces.ShouldBe(["GMP"]);
        var alone = await Api.Person(As.Auditor, met.PersonId);
        alone.PersonId.ShouldBe(met.PersonId);
        alone.Episodes.ShouldBe(1);
        alone.Forces.ShouldBe(["MET"]);
        (await Api.GetPerson(Met, gmp.PersonId)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetPerson(Gmp, met.PersonId)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.History(As.Auditor, met.PersonId)).Where(e => e.Stream == "episode").Select(e => e.EpisodeId!.Value).Distinct().ShouldBe(met.Episodes);
    }

    [Fact]
    public async Task a_force_sees_its_own_details_and_only_counts_of_another_forces_episodes()
    {
        var gmp = await Api.ChildReportedBy(Gmp, "Perpetua", "Quennell", Fifteen, episodes: 2);
        var met = await Api.ChildReportedBy(Met, "Petra", "Quennell-Oakes", Fifteen.AddDays(1));
        await Api.Merged(met.PersonId, gmp.PersonId);

        var reply = await Api.GetPerson(Gmp, met.PersonId);
        var view = reply.Read<PersonView>();

        var own = view.Records.ShouldHaveSingleItem();
        own.Force.ShouldBe("GMP");
        (own.GivenName, own.FamilyName, own.DateOfBirth, own.ForceSubjectId).ShouldBe(("Perpetua", "Quennell", Fifteen, gmp.Subject));
        own.Episodes.Select(e => e.EpisodeId).ShouldBe(gmp.Episodes, ignoreOrder: true);
        own.Episodes.Select(e => e.ForceReference).ShouldBe(gmp.References, ignoreOrder: true);
        view.OpenEpisodeId.ShouldNotBeNull().ShouldBeOneOf([.. gmp.Episodes]);
        view.EpisodesByForce.ShouldContain(new ForceEpisodes("MET", 1));
        var json = reply.Json.ToJsonString();
        string[] theirs = ["Petra", "Quennell-Oakes", met.Subject, met.References[0], met.Episodes[0].ToString(), Iso(Fifteen.AddDays(1))];
        foreach (var detail in theirs)
            json.ShouldNotContain(detail);

        var metView = await Api.Person(Met, gmp.PersonId);
        metView.Records.ShouldHaveSingleItem().GivenName.ShouldBe("Petra");
        metView.OpenEpisodeId.ShouldBe(met.Episodes[0]);
    }

    [Fact]
    public async Task auditors_see_every_forces_details()
    {
        var gmp = await Api.ChildReportedBy(Gmp, "Perpetua", "Quennell", Fifteen);
        var met = await Api.ChildReportedBy(Met, "Petra", "Quennell-Oakes", Fifteen);
        await Api.Merged(met.PersonId, gmp.PersonId);

        var view = await Api.Person(As.Auditor, gmp.PersonId);

        view.Records.Select(r => (r.Force, r.GivenName, r.ForceSubjectId))
            .ShouldBe([("GMP", "Perpetua", gmp.Subject), ("MET", "Petra", met.Subject)]);
        view.Records.SelectMany(r => r.Episodes).Select(e => e.EpisodeId).ShouldBe([.. gmp.Episodes, .. met.Episodes], ignoreOrder: true);
    }

    [Fact]
    public async Task analysts_see_counts_and_an_age_band_never_names_dates_of_birth_or_references()
    {
        var gmp = await Api.ChildReportedBy(Gmp, "Wilhelmina", "Thistlewood", Fifteen, episodes: 2);
        var met = await Api.ChildReportedBy(Met, "Willa", "Thistlewood-Marr", Fifteen);

        var merged = await Api.Merge(As.Analyst, met.PersonId, gmp.PersonId);
        var refused = await Api.Merge(As.Analyst, gmp.PersonId, met.PersonId);
        var views = new[] { await Api.GetPerson(As.Analyst, gmp.PersonId), await Api.GetPerson(As.Analyst, met.PersonId) };
        var unmerged = await Api.Unmerge(As.Analyst, met.PersonId);

        string[] identifying =
            ["Wilhelmina", "Thistlewood", "Willa", Iso(Fifteen), gmp.Subject, met.Subject, .. gmp.References, .. met.References];
        foreach (var reply in views.Append(merged).Append(refused).Append(unmerged))
        foreach (var text in identifying)
            reply.Json.ToJsonString().ShouldNotContain(text, Case.Insensitive);
        var view = views[1].Read<PersonView>();
        view.PersonId.ShouldBe(gmp.PersonId);
        view.AgeBand.ShouldBe("12-17");
        view.Episodes.ShouldBe(3);
        view.EpisodesByForce.ShouldBe([new ForceEpisodes("GMP", 2), new ForceEpisodes("MET", 1)]);
        view.Records.ShouldBeEmpty();
        view.OpenEpisodeId.ShouldBeNull();
    }

    [Fact]
    public async Task a_force_with_no_episode_for_any_record_of_the_person_is_refused()
    {
        var gmp = await Api.ChildReportedBy(Gmp);
        var met = await Api.ChildReportedBy(Met);
        await Api.Merged(met.PersonId, gmp.PersonId);

        foreach (var asked in new[] { gmp.PersonId, met.PersonId })
        {
            var reply = await Api.GetPerson(As.Force("WMP"), asked);
            reply.Status.ShouldBe(HttpStatusCode.Forbidden);
            reply.Json.ToJsonString().ShouldNotContain("GMP");
            reply.Json.ToJsonString().ShouldNotContain("MET");
            (await Api.GetPerson(As.ChildrensServices("Manchester"), asked)).Status.ShouldBe(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task a_forces_details_come_from_its_newest_report()
    {
        var first = await Api.ChildReportedBy(Gmp, "Alexandra", "Pemberton", Fifteen, lastSeenAt: RegisterApi.Now.AddDays(-20));
        await Api.ChildReportedBy(Gmp, "Alex", "Pemberton", Fifteen, subject: first.Subject, lastSeenAt: RegisterApi.Now.AddDays(-40));

        var view = await Api.Person(Gmp, first.PersonId);

        view.Records.ShouldHaveSingleItem().GivenName.ShouldBe("Alex");
        view.Records[0].Episodes.Count.ShouldBe(2);
    }

    [Fact]
    public async Task the_age_band_is_the_age_when_last_seen_in_the_newest_episode()
    {
        var eighteen = DateOnly.FromDateTime(RegisterApi.Now.UtcDateTime).AddYears(-18).AddDays(-10);
        var gmp = await Api.ChildReportedBy(Gmp, dateOfBirth: eighteen, lastSeenAt: RegisterApi.Now.AddDays(-400));
        var met = await Api.ChildReportedBy(Met, dateOfBirth: eighteen);

        (await Api.Person(As.Analyst, gmp.PersonId)).AgeBand.ShouldBe("12-17");
        await Api.Merged(met.PersonId, gmp.PersonId);
        (await Api.Person(As.Analyst, gmp.PersonId)).AgeBand.ShouldBe("18-24");
    }

    [Fact]
    public async Task the_person_view_keeps_its_json_shape()
    {
        var gmp = await Api.ChildReportedBy(Gmp, "Perpetua", "Quennell", Fifteen);

        var json = (await Api.GetPerson(Gmp, gmp.PersonId)).Json.AsObject();

        json.Select(p => p.Key).ShouldBe(
        [
            "personId", "mergedFrom", "ageBand", "episodes", "last90Days", "last365Days", "openEpisodes", "openEpisodeId",
            "highestRiskEver", "forces", "episodesByForce", "records",
        ]);
        json["episodesByForce"]![0]!.AsObject().Select(p => p.Key).ShouldBe(["force", "episodes"]);
        var record = json["records"]![0]!.AsObject();
        record.Select(p => p.Key).ShouldBe(["force", "forceSubjectId", "givenName", "familyName", "dateOfBirth", "sex", "episodes"]);
        record["dateOfBirth"]!.GetValue<string>().ShouldBe(Iso(Fifteen));
        record["episodes"]![0]!.AsObject().Select(p => p.Key)
            .ShouldBe(["episodeId", "forceReference", "status", "reportedAt", "lastSeenAt"]);
        record["episodes"]![0]!["status"]!.GetValue<string>().ShouldBe("Missing");
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
