namespace NationalRegister.Infrastructure.Auth;

/// <summary>
/// The forces and local authorities the register knows (its reference data), as the token check needs them: a token may
/// only speak for an agency that exists. Implemented by the Reference capability, so the plumbing knows no domain.
/// </summary>
public interface IKnownAgencies
{
    /// <summary>The force's code as the register lists it ("gmp" is GMP), or null when no such force is known.</summary>
    string? ForceCode(string? code);

    /// <summary>The authority's ONS code for its code, name or official name ("Manchester" is E08000003), or null.</summary>
    string? LocalAuthorityCode(string? codeOrName);
}
