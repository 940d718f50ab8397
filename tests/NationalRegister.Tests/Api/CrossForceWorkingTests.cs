using System.Net;
using NationalRegister.Episodes.Viewing;

namespace NationalRegister.Tests.Api;

/// <summary>Transfers between forces and supervisory reviews, on the same write path as every other command.</summary>
[Collection(RegisterCollection.Name)]
public sealed class CrossForceWorkingTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private Task<Reply> Transfer(As who, Guid episode, string toForce, long? expectedVersion = null, Guid? messageId = null) =>
        Api.Post(who, $"/api/episodes/{episode}/transfer",
            new { messageId = messageId ?? RegisterApi.NewId(), expectedVersion, toForce, reason = "Believed to be in the Met's area" });

    private Task<Reply> Review(As who, Guid episode, DateTimeOffset? reviewedAt = null, DateTimeOffset? nextReviewDue = null) =>
        Api.Post(who, $"/api/episodes/{episode}/reviews", new
        {
            messageId = RegisterApi.NewId(), reviewedBy = "Insp 2", reviewedAt = reviewedAt ?? RegisterApi.Now.AddMinutes(-10),
            riskConfirmed = true, nextReviewDue,
        });

    [Fact]
    public async Task the_receiving_force_owns_a_transferred_episode_and_the_sender_keeps_read_access()
    {
        var episode = await Api.ChildMissing(Gmp);

        var transferred = await Transfer(Gmp, episode, "met", expectedVersion: 1);

        transferred.Status.ShouldBe(HttpStatusCode.OK);
        transferred.Version.ShouldBe(2);
        var view = await Api.Episode(Met, episode);
        view.Force.ShouldBe("MET");
        view.PreviousForces.ShouldBe(["GMP"]);
        (await Api.GetEpisode(Gmp, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Sighting(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.Sighting(Met, episode)).Status.ShouldBe(HttpStatusCode.OK);
        (await Transfer(Met, episode, "MET")).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Transfer(Gmp, episode, "WMP")).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await Transfer(Met, episode, "not a force!")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_review_sets_when_the_next_one_falls_due()
    {
        var episode = await Api.ChildMissing(Gmp);
        await Api.AssessRisk(Gmp, episode, "Medium", assessedAt: RegisterApi.Now.AddHours(-4));

        (await Api.Episode(Gmp, episode)).Review.NextReviewDue.ShouldBe(RegisterApi.Now.AddHours(-5).AddHours(24)); // Medium: 24 h from the report
        (await Review(Gmp, episode, reviewedAt: RegisterApi.Now.AddHours(-1))).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Episode(Gmp, episode)).Review.ShouldBe(new ReviewView(RegisterApi.Now.AddHours(-1), RegisterApi.Now.AddHours(23)));
        (await Review(Gmp, episode, nextReviewDue: RegisterApi.Now.AddHours(2))).Status.ShouldBe(HttpStatusCode.OK);
        (await Api.Episode(Gmp, episode)).Review.NextReviewDue.ShouldBe(RegisterApi.Now.AddHours(2));
    }

    [Fact]
    public async Task reviews_are_refused_in_the_future_before_the_report_after_closure_and_for_other_forces()
    {
        var episode = await Api.ChildMissing(Gmp);

        (await Review(Gmp, episode, reviewedAt: RegisterApi.Now.AddHours(1))).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Review(Gmp, episode, reviewedAt: RegisterApi.Now.AddDays(-2))).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Review(Gmp, episode, reviewedAt: RegisterApi.Now.AddHours(-1), nextReviewDue: RegisterApi.Now.AddHours(-2))).Status
            .ShouldBe(HttpStatusCode.BadRequest);
        (await Review(Met, episode)).Status.ShouldBe(HttpStatusCode.Forbidden);
        await Api.Found(Gmp, episode);
        await Api.Close(Gmp, episode);
        (await Review(Gmp, episode)).Status.ShouldBe(HttpStatusCode.Conflict);
    }
}
