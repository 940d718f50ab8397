namespace NationalRegister.People;

/// <summary>An analyst decides that two person records are one person: the merged-away record points at the survivor.</summary>
public sealed record PeopleMerged(Guid PersonId, Guid IntoPersonId, string Rationale, DateTimeOffset MergedAt);

/// <summary>The decision is reversed: the record stands on its own again.</summary>
public sealed record PeopleUnmerged(Guid PersonId, Guid FromPersonId, string Rationale, DateTimeOffset UnmergedAt);

/// <summary>
/// Where a person record's merges stand, one stream per merged-away record (its personId). Kept inline, so every count and
/// view resolves merges when it is read (a record plus all those linked to it), and a rebuild gives the same answers.
/// </summary>
public sealed record PersonLink
{
    public Guid Id { get; init; }
    /// <summary>The record this one is merged into, or null once unmerged.</summary>
    public Guid? SurvivorId { get; init; }
    public long Version { get; set; }

    public static PersonLink Create(PeopleMerged e) => new() { Id = e.PersonId, SurvivorId = e.IntoPersonId };

    public PersonLink Apply(PeopleMerged e) => this with { SurvivorId = e.IntoPersonId };

    public PersonLink Apply(PeopleUnmerged e) => this with { SurvivorId = null };
}
