using NationalRegister.Reference;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Synthetic forces and local authorities, configured into the test register like Police Scotland would be into a real
/// one: every test that needs national tables to itself takes the next of each, and no two tests of a run share one.
/// </summary>
public static class TestAgencies
{
    private const int Pool = 2000;
    private static int _forces;
    private static int _authorities;

    public static IEnumerable<ReferenceExtensions.ConfiguredAgency> Forces =>
        Enumerable.Range(1, Pool).Select(i => new ReferenceExtensions.ConfiguredAgency { Code = ForceCode(i), Name = $"Test force {i}" });

    public static IEnumerable<ReferenceExtensions.ConfiguredAgency> LocalAuthorities =>
        Enumerable.Range(1, Pool).Select(i => new ReferenceExtensions.ConfiguredAgency { Code = AuthorityCode(i), Name = AuthorityName(i) });

    public static string NextForce() => ForceCode(Next(ref _forces));

    public static string NextLocalAuthority() => AuthorityCode(Next(ref _authorities));

    /// <summary>The name the reference data lists for a test authority's code.</summary>
    public static string NameOf(string code) => AuthorityName(int.Parse(code[1..], System.Globalization.CultureInfo.InvariantCulture));

    private static int Next(ref int counter) =>
        Interlocked.Increment(ref counter) is var n && n <= Pool ? n : throw new InvalidOperationException($"More than {Pool} test agencies: raise the pool.");

    private static string ForceCode(int i) => $"T{i:D4}";

    private static string AuthorityCode(int i) => $"X{i:D8}";

    private static string AuthorityName(int i) => $"Test authority {i}";
}
