using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using NationalRegister.Infrastructure.Auth;
using NationalRegister.Infrastructure.Http;

namespace NationalRegister.Reference;

/// <param name="Kind">Territorial (the 43 of England and Wales), Special (British Transport Police) or Configured.</param>
public sealed record Force(string Code, string Name, string Country, string Kind);

/// <param name="Code">The ONS GSS code, e.g. E08000003.</param>
/// <param name="Name">The name as listed, e.g. "Manchester"; <paramref name="OfficialName"/> is the council's, e.g. "Manchester City Council".</param>
public sealed record LocalAuthority(string Code, string Name, string? OfficialName, string Country, string? Region, string Type);

/// <summary>One list of the reference data as served: its version, where it comes from and how current it is.</summary>
public sealed record ReferenceList<T>(string Version, string Source, DateOnly AsOf, IReadOnlyList<T> Items);

/// <summary>An authority named in a view: its code, and its name as listed (null for a text recorded before the reference data).</summary>
public sealed record NamedAuthority(string Code, string? Name);

/// <summary>
/// Agencies beyond the shipped lists, from configuration (section "Reference"): forces such as Police Scotland or the NCA's
/// UK Missing Persons Unit (<c>Reference__Forces__0__Code=PSOS</c>, <c>Reference__Forces__0__Name=Police Scotland</c>), and
/// local authorities (<c>Reference__LocalAuthorities__0__Code=S12000049</c>, <c>..._Name=Glasgow City</c>).
/// </summary>
public sealed class ReferenceExtensions
{
    public const string Section = "Reference";

    public List<ConfiguredAgency> Forces { get; set; } = [];
    public List<ConfiguredAgency> LocalAuthorities { get; set; } = [];

    public sealed class ConfiguredAgency
    {
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public string? OfficialName { get; set; }
        public string? Country { get; set; }
    }
}

/// <summary>
/// The forces and the local authorities with children's services responsibilities that the register knows: shipped with
/// it as <c>reference-data.json</c> (which states its source, date and version), plus any configured. Every command,
/// token and filter that names one is checked here, so no episode can be given to a force that does not exist and
/// "Manchester" and "Manchester City Council" are one authority (E08000003).
/// </summary>
public sealed partial class ReferenceData : IKnownAgencies
{
    public const string ForcesAt = "/api/reference/forces";
    public const string LocalAuthoritiesAt = "/api/reference/local-authorities";

    private readonly Dictionary<string, Force> _forces;
    private readonly Dictionary<string, LocalAuthority> _authorities = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, LocalAuthority> _authoritiesByName = new(StringComparer.OrdinalIgnoreCase);

    public ReferenceList<Force> Forces { get; }
    public ReferenceList<LocalAuthority> LocalAuthorities { get; }

    public ReferenceData(IOptions<ReferenceExtensions> extensions)
    {
        var shipped = Shipped.Load();
        var configured = extensions.Value;
        Forces = shipped.Forces.With(configured.Forces.Select(f => new Force(
            Checked(f.Code.Trim().ToUpperInvariant(), ForceCodeFormat(), "Reference__Forces", "letters and digits, 2 to 10 of them (e.g. PSOS)"),
            Required(f.Name, "Reference__Forces"), f.Country ?? "", "Configured")), shipped.Version);
        LocalAuthorities = shipped.LocalAuthorities.With(configured.LocalAuthorities.Select(a => new LocalAuthority(
            Checked(a.Code.Trim().ToUpperInvariant(), GssCodeFormat(), "Reference__LocalAuthorities", "an ONS GSS code, a letter and 8 digits (e.g. S12000049)"),
            Required(a.Name, "Reference__LocalAuthorities"), a.OfficialName, a.Country ?? "", null, "Configured")), shipped.Version);

        _forces = new Dictionary<string, Force>(StringComparer.OrdinalIgnoreCase);
        foreach (var force in Forces.Items)
            if (!_forces.TryAdd(force.Code, force)) throw Duplicate("force code", force.Code);
        foreach (var authority in LocalAuthorities.Items)
        {
            if (!_authorities.TryAdd(authority.Code, authority)) throw Duplicate("local authority code", authority.Code);
            foreach (var name in new[] { authority.Name, authority.OfficialName }.OfType<string>().Select(Normalise).Distinct())
                if (!_authoritiesByName.TryAdd(name, authority) && _authoritiesByName[name] != authority)
                    throw Duplicate("local authority name", name);
        }
    }

    public Force? Force(string? code) => code is null ? null : _forces.GetValueOrDefault(code.Trim());

    /// <summary>By ONS code, name as listed, or official name; case and spacing aside ("leeds", "Leeds City Council").</summary>
    public LocalAuthority? LocalAuthority(string? codeOrName) =>
        string.IsNullOrWhiteSpace(codeOrName) ? null
        : _authorities.GetValueOrDefault(codeOrName.Trim()) ?? _authoritiesByName.GetValueOrDefault(Normalise(codeOrName));

    public string? ForceCode(string? code) => Force(code)?.Code;

    public string? LocalAuthorityCode(string? codeOrName) => LocalAuthority(codeOrName)?.Code;

    /// <summary>An authority as a view names it: the code and its listed name (a text never mapped keeps no name).</summary>
    public NamedAuthority Named(string code) => new(code, _authorities.GetValueOrDefault(code)?.Name);

    public string? NameOf(string? code) => code is null ? null : _authorities.GetValueOrDefault(code)?.Name;

    /// <summary>A command's field naming a local authority, read as its ONS code; an unknown one is noted as the field's error.</summary>
    public string? LocalAuthorityField(FieldErrors fields, string field, string? given)
    {
        if (given is null) return null;
        if (LocalAuthority(given) is { } known) return known.Code;
        fields.Add(field, UnknownLocalAuthority);
        return null;
    }

    /// <summary>A command's field naming a force, read as its code; an unknown one is noted as the field's error.</summary>
    public string ForceField(FieldErrors fields, string field, string given)
    {
        if (given.Length == 0) return "";
        if (Force(given) is { } known) return known.Code;
        fields.Add(field, UnknownForce);
        return "";
    }

    /// <summary>What every refusal of an unknown force says: what is known and where to look.</summary>
    public const string UnknownForce =
        $"is not a force the register knows: give its code as listed at GET {ForcesAt} (e.g. GMP, MET, WMP).";

    public const string UnknownLocalAuthority =
        $"is not a local authority the register knows: give its ONS code (e.g. E08000003) or its name as listed at GET {LocalAuthoritiesAt} (e.g. Manchester).";

    private static string Normalise(string name) => string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Checked(string code, Regex format, string setting, string expected) =>
        format.IsMatch(code) ? code : throw new InvalidOperationException($"{setting}: a configured code must be {expected}.");

    private static string Required(string name, string setting) =>
        string.IsNullOrWhiteSpace(name) ? throw new InvalidOperationException($"{setting}: every configured agency needs a Name.") : name.Trim();

    private static InvalidOperationException Duplicate(string what, string value) =>
        new($"Reference data: the {what} {value} is listed twice (a configured agency repeats a shipped one?). Remove one.");

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex ForceCodeFormat();

    [GeneratedRegex("^[A-Z][0-9]{8}$")]
    private static partial Regex GssCodeFormat();

    /// <summary>The lists shipped with the register, an embedded resource of this assembly.</summary>
    private sealed record Shipped(string Version, Shipped.List<Force> Forces, Shipped.List<LocalAuthority> LocalAuthorities)
    {
        public sealed record List<T>(string Source, DateOnly AsOf, IReadOnlyList<T> Items)
        {
            public ReferenceList<T> With(IEnumerable<T> configured, string version) => new(version, Source, AsOf, [.. Items, .. configured]);
        }

        public static Shipped Load()
        {
            using var stream = typeof(ReferenceData).Assembly.GetManifestResourceStream("NationalRegister.Reference.reference-data.json")
                ?? throw new InvalidOperationException("reference-data.json is not embedded in the register: the build is broken.");
            return JsonSerializer.Deserialize<Shipped>(stream, JsonSerializerOptions.Web)
                ?? throw new InvalidOperationException("reference-data.json is empty.");
        }
    }
}
