using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;

namespace NationalRegister.Tests.Architecture;

/// <summary>Dependencies point one way: capabilities use the plumbing, never the reverse, and no two namespaces import each other.</summary>
public sealed class DependencyTests
{
    private static readonly ArchUnitNET.Domain.Architecture Register =
        new ArchLoader().LoadAssemblies(typeof(Program).Assembly).Build();

    [Fact]
    public void no_two_namespaces_depend_on_each_other() =>
        SliceRuleDefinition.Slices().Matching("NationalRegister.(**)").Should().BeFreeOfCycles().Check(Register);

    [Fact]
    public void no_two_capabilities_depend_on_each_other() =>
        SliceRuleDefinition.Slices().Matching("NationalRegister.(*)..").Should().BeFreeOfCycles().Check(Register);
}
