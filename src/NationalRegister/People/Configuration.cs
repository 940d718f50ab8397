using JasperFx.Events.Projections;
using Marten;

namespace NationalRegister.People;

public static class Configuration
{
    public static StoreOptions AddPeople(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(PeopleMerged), typeof(PeopleUnmerged)]);
        options.Projections.Snapshot<PersonLink>(SnapshotLifecycle.Inline);
        options.Schema.For<PersonLink>().Duplicate(l => l.SurvivorId);
        return options;
    }
}
