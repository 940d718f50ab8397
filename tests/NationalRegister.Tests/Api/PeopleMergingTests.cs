using System.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NationalRegister.People;

namespace NationalRegister.Tests.Api;

/// <summary>Analysts merge two person records into one person, and unmerge them, as reversible events (issue #7).</summary>
[Collection(RegisterCollection.Name)]
public sealed class PeopleMergingTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    [Fact]
    public async Task a_first_merge_starts_the_records_link_and_answers_with_the_record_it_points_at()
    {
        var gmp = await Api.ChildReportedBy(Gmp);
        var met = await Api.ChildReportedBy(Met);

        var merged = await Api.Merged(met.PersonId, gmp.PersonId);

        merged.PersonId.ShouldBe(met.PersonId);
        merged.SurvivorId.ShouldBe(gmp.PersonId);
        merged.Version.ShouldBe(1);
        (await LinkEvents(met.PersonId)).ShouldBe(["PeopleMerged"]);
        (await Link(met.PersonId))!.SurvivorId.ShouldBe(gmp.PersonId);
    }

    [Fact]
    public async Task replaying_a_merge_gives_the_same_answer_and_appends_nothing_however_long_afterwards()
    {
        var gmp = await Api.ChildReportedBy(Gmp);
        var met = await Api.ChildReportedBy(Met);
        var messageId = RegisterApi.NewId();

        var first = await Api.Merge(As.Analyst, met.PersonId, gmp.PersonId, messageId);
        var again = await Api.Merge(As.Analyst, met.PersonId, gmp.PersonId, messageId);
        var reused = await Api.Merge(As.Analyst, met.PersonId, gmp.PersonId, messageId, rationale: "Another reason, told differently");

        first.Status.ShouldBe(HttpStatusCode.OK);
        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Json.ToJsonString().ShouldBe(first.Json.ToJsonString());
        reused.Status.ShouldBe(HttpStatusCode.Conflict);
        reused.Detail.ShouldContain("messageId");
        (await LinkEvents(met.PersonId)).ShouldBe(["PeopleMerged"]);

        // Even once the merge is undone, the original command still gets its original answer and changes nothing.
        await Api.Unmerged(met.PersonId);
        var later = await Api.Merge(As.Analyst, met.PersonId, gmp.PersonId, messageId);
        later.Status.ShouldBe(HttpStatusCode.OK);
        later.Json.ToJsonString().ShouldBe(first.Json.ToJsonString());
        (await LinkEvents(met.PersonId)).ShouldBe(["PeopleMerged", "PeopleUnmerged"]);
        (await Link(met.PersonId))!.SurvivorId.ShouldBeNull();
    }

    [Fact]
    public async Task replaying_an_unmerge_gives_the_same_answer()
    {
        var gmp = await Api.ChildReportedBy(Gmp);
        var met = await Api.ChildReportedBy(Met);
        await Api.Merged(met.PersonId, gmp.PersonId);
        var messageId = RegisterApi.NewId();

        var first = await Api.Unmerge(As.Analyst, met.PersonId, messageId);
        var again = await Api.Unmerge(As.Analyst, met.PersonId, messageId);

        first.Status.ShouldBe(HttpStatusCode.OK);
        first.Read<NationalRegister.People.Merging.PersonLinked>().ShouldBe(new(met.PersonId, null, 2));
        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Json.ToJsonString().ShouldBe(first.Json.ToJsonString());
        (await LinkEvents(met.PersonId)).ShouldBe(["PeopleMerged", "PeopleUnmerged"]);
    }

    [Fact]
    public async Task a_record_is_not_merged_into_itself()
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);
        await Api.Merged(b.PersonId, a.PersonId);

        var self = await Api.Merge(As.Analyst, a.PersonId, a.PersonId);
        var intoItsOwn = await Api.Merge(As.Analyst, a.PersonId, b.PersonId);

        self.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        self.Detail.ShouldContain("itself");
        intoItsOwn.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await LinkEvents(a.PersonId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task both_records_must_exist()
    {
        var known = await Api.ChildReportedBy(Gmp);
        var unknown = RegisterApi.NewId();

        var fromUnknown = await Api.Merge(As.Analyst, unknown, known.PersonId);
        var intoUnknown = await Api.Merge(As.Analyst, known.PersonId, unknown);
        var unmergeUnknown = await Api.Unmerge(As.Analyst, unknown);

        fromUnknown.Status.ShouldBe(HttpStatusCode.NotFound);
        intoUnknown.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        intoUnknown.Detail.ShouldContain(unknown.ToString());
        unmergeUnknown.Status.ShouldBe(HttpStatusCode.NotFound);
        (await LinkEvents(unknown)).ShouldBeEmpty();
        (await LinkEvents(known.PersonId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_merged_record_is_unmerged_before_it_is_merged_again()
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);
        var c = await Api.ChildReportedBy(As.Force("WMP"));
        await Api.Merged(b.PersonId, a.PersonId);

        var elsewhere = await Api.Merge(As.Analyst, b.PersonId, c.PersonId);
        var sameAgain = await Api.Merge(As.Analyst, b.PersonId, a.PersonId);

        elsewhere.Status.ShouldBe(HttpStatusCode.Conflict);
        elsewhere.Detail.ShouldContain("Unmerge it first");
        sameAgain.Status.ShouldBe(HttpStatusCode.Conflict);
        await Api.Unmerged(b.PersonId);
        (await Api.Merged(b.PersonId, c.PersonId)).ShouldBe(new(b.PersonId, c.PersonId, 3));
    }

    [Fact]
    public async Task merging_into_a_merged_record_goes_to_its_survivor_so_links_never_chain()
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);
        var c = await Api.ChildReportedBy(As.Force("WMP"));
        await Api.Merged(b.PersonId, a.PersonId);

        var merged = await Api.Merged(c.PersonId, b.PersonId);

        merged.SurvivorId.ShouldBe(a.PersonId);
        (await Link(c.PersonId))!.SurvivorId.ShouldBe(a.PersonId);
        var view = await Api.Person(As.Auditor, c.PersonId);
        view.PersonId.ShouldBe(a.PersonId);
        view.MergedFrom.ShouldBe(new[] { b.PersonId, c.PersonId }.Order().ToList());
        view.Episodes.ShouldBe(3);
    }

    [Fact]
    public async Task a_record_others_are_merged_into_is_not_merged_away_and_the_refusal_says_which_to_unmerge()
    {
        var a = await Api.ChildReportedBy(Gmp, "Ottoline", "Brackenbury");
        var b = await Api.ChildReportedBy(Met, "Ottilie", "Brackenbury");
        var d = await Api.ChildReportedBy(As.Force("WMP"));
        await Api.Merged(b.PersonId, a.PersonId);

        var refused = await Api.Merge(As.Analyst, a.PersonId, d.PersonId);

        refused.Status.ShouldBe(HttpStatusCode.Conflict);
        refused.Detail.ShouldContain(b.PersonId.ToString());
        var json = refused.Json.ToJsonString();
        foreach (var identifying in new[] { "GMP", "MET", "WMP", "Ottoline", "Ottilie", "Brackenbury", b.Subject, a.Subject })
            json.ShouldNotContain(identifying);
        (await LinkEvents(a.PersonId)).ShouldBeEmpty();
    }

    [Fact]
    public async Task only_a_merged_record_is_unmerged()
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);
        var alone = await Api.Unmerge(As.Analyst, a.PersonId);
        await Api.Merged(b.PersonId, a.PersonId);

        var survivor = await Api.Unmerge(As.Analyst, a.PersonId);
        await Api.Unmerged(b.PersonId);
        var twice = await Api.Unmerge(As.Analyst, b.PersonId);

        alone.Status.ShouldBe(HttpStatusCode.Conflict);
        survivor.Status.ShouldBe(HttpStatusCode.Conflict);
        survivor.Detail.ShouldContain(b.PersonId.ToString());
        twice.Status.ShouldBe(HttpStatusCode.Conflict);
        (await LinkEvents(a.PersonId)).ShouldBeEmpty();
        (await LinkEvents(b.PersonId)).ShouldBe(["PeopleMerged", "PeopleUnmerged"]);
    }

    [Fact]
    public async Task merging_is_an_analysts_decision()
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);

        foreach (var who in new[] { Gmp, Met, As.Auditor, As.ChildrensServices("Manchester") })
        {
            (await Api.Merge(who, b.PersonId, a.PersonId)).Status.ShouldBe(HttpStatusCode.Forbidden);
            (await Api.Unmerge(who, b.PersonId)).Status.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await Api.Merge(As.Nobody, b.PersonId, a.PersonId)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await LinkEvents(b.PersonId)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Same kid")]
    [InlineData("   too short   ")]
    public async Task a_merge_states_its_rationale_in_ten_to_two_thousand_characters(string? rationale)
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);

        var reply = await Api.Merge(As.Analyst, b.PersonId, a.PersonId, rationale: rationale);
        var tooLong = await Api.Merge(As.Analyst, b.PersonId, a.PersonId, rationale: new string('r', 2001));
        var noTarget = await Api.Post(As.Analyst, $"/api/people/{b.PersonId}/merge",
            new { messageId = RegisterApi.NewId(), rationale = PeopleVocabulary.Because });

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json["errors"]!["rationale"].ShouldNotBeNull();
        tooLong.Status.ShouldBe(HttpStatusCode.BadRequest);
        noTarget.Status.ShouldBe(HttpStatusCode.BadRequest);
        noTarget.Json["errors"]!["intoPersonId"].ShouldNotBeNull();
        var paragraphs = await Api.Merge(As.Analyst, b.PersonId, a.PersonId, rationale: "Same child.\nSchool and GP confirm it.");
        paragraphs.Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task two_first_merges_of_one_record_at_once_are_one_merge_and_one_conflict()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await Api.ChildReportedBy(Gmp);
            var b = await Api.ChildReportedBy(Met);
            var c = await Api.ChildReportedBy(As.Force("WMP"));

            var replies = await Task.WhenAll(Api.Merge(As.Analyst, a.PersonId, b.PersonId), Api.Merge(As.Analyst, a.PersonId, c.PersonId));

            replies.Select(r => r.Status).Order().ToList()
                .ShouldBe([HttpStatusCode.OK, HttpStatusCode.Conflict], string.Join(" / ", replies.Select(r => r.Body?.ToJsonString())));
            // Met under the people lock, never as a stream collision at commit: the loser is told why, in the merge's words.
            replies.Single(r => r.Status == HttpStatusCode.Conflict).Json["title"]!.GetValue<string>()
                .ShouldBeOneOf("Merged meanwhile", "Already merged");
            (await LinkEvents(a.PersonId)).ShouldBe(["PeopleMerged"]);
        }
    }

    [Fact]
    public async Task merges_decided_at_the_same_moment_never_leave_a_chain()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await Api.ChildReportedBy(Gmp);
            var b = await Api.ChildReportedBy(Met);
            var c = await Api.ChildReportedBy(As.Force("WMP"));

            // A into B while C into A: whichever goes first, C must end up pointing at a record that is not merged itself.
            var replies = await Task.WhenAll(Api.Merge(As.Analyst, a.PersonId, b.PersonId), Api.Merge(As.Analyst, c.PersonId, a.PersonId));

            replies.ShouldAllBe(r => r.Status == HttpStatusCode.OK || r.Status == HttpStatusCode.Conflict);
            foreach (var record in new[] { a, b, c })
                if ((await Link(record.PersonId))?.SurvivorId is { } survivor)
                    (await Link(survivor))?.SurvivorId.ShouldBeNull($"{record.PersonId} points at {survivor}, which is itself merged");
        }
    }

    [Fact]
    public async Task a_merge_is_recorded_with_who_decided_it_and_why()
    {
        var a = await Api.ChildReportedBy(Gmp);
        var b = await Api.ChildReportedBy(Met);
        var messageId = RegisterApi.NewId();

        (await Api.Merge(As.Analyst, b.PersonId, a.PersonId, messageId)).Status.ShouldBe(HttpStatusCode.OK);

        await using var session = Store.QuerySession();
        var merged = (await session.Events.FetchStreamAsync(b.PersonId)).Single();
        merged.Data.ShouldBe(new PeopleMerged(b.PersonId, a.PersonId, PeopleVocabulary.Because, RegisterApi.Now));
        merged.UserName.ShouldBe(As.Analyst.User);
        merged.CausationId.ShouldBe(messageId.ToString());
        merged.Headers!["agency"].ToString().ShouldBe("analyst");
    }

    [Fact]
    public async Task no_name_or_rationale_reaches_the_logs_and_refusals_are_no_errors()
    {
        Fixture.Logs.Clear();
        var a = await Api.ChildReportedBy(Gmp, "Cordelia", "Ashdown-Vane");
        var b = await Api.ChildReportedBy(Met, "Delia", "Ashdown-Vane");
        const string why = "TOPAZ rationale: same school, same GP";
        var messageId = RegisterApi.NewId();

        (await Api.Merge(As.Analyst, b.PersonId, a.PersonId, messageId, why)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Merge(As.Analyst, b.PersonId, a.PersonId, messageId, why)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Merge(As.Analyst, b.PersonId, a.PersonId, messageId, why + " again")).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Api.Merge(As.Analyst, a.PersonId, a.PersonId, rationale: why)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Api.Unmerge(As.Analyst, a.PersonId, rationale: why)).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Api.Merge(As.Analyst, b.PersonId, a.PersonId, rationale: "TOPAZ")).Status.ShouldBe(HttpStatusCode.BadRequest);
        foreach (var who in new[] { As.Analyst, As.Auditor, Gmp, Met })
            (await Api.GetPerson(who, b.PersonId)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Unmerge(As.Analyst, b.PersonId, rationale: why)).Status.ShouldBe(HttpStatusCode.OK);

        var entries = Fixture.Logs.Entries;
        string[] personal = ["TOPAZ", "Cordelia", "Delia", "Ashdown", a.Subject, b.Subject];
        entries.Where(e => personal.Any(p => e.Text.Contains(p, StringComparison.OrdinalIgnoreCase)))
            .Select(e => $"{e.Level} {e.Category}: {e.Text}").ShouldBeEmpty();
        entries.Where(e => e.Level is >= Microsoft.Extensions.Logging.LogLevel.Warning and < Microsoft.Extensions.Logging.LogLevel.None)
            .Select(e => $"{e.Level} {e.Category}: {e.Text}").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/api/people/{personId}/merge")]
    [InlineData("/api/people/{personId}/unmerge")]
    public async Task the_openapi_document_states_every_answer_a_merge_or_unmerge_can_give(string path)
    {
        var doc = (await Api.Get(As.Nobody, "/openapi/v1.json")).Json;

        var responses = doc["paths"]![path]!["post"]!["responses"]!.AsObject();

        responses.Select(r => r.Key).ShouldBe(["200", "400", "401", "403", "404", "409", "422"], ignoreOrder: true);
        responses["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().ShouldEndWith("PersonLinked");
    }

    private IDocumentStore Store => Fixture.Host.Services.GetRequiredService<IDocumentStore>();

    private async Task<IReadOnlyList<string>> LinkEvents(Guid person)
    {
        await using var session = Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(person)).Select(e => e.EventType.Name)];
    }

    private async Task<PersonLink?> Link(Guid person)
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<PersonLink>(person);
    }
}
