using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using Wolverine.Http;

namespace NationalRegister.Reference;

/// <summary>The local authorities with children's services responsibilities, by ONS code and name.</summary>
public static class ListLocalAuthoritiesEndpoint
{
    [WolverineGet(ReferenceData.LocalAuthoritiesAt, OperationId = "ListLocalAuthorities")]
    [Authorize(Policy = Policies.AnyRole)]
    [ProducesResponseType<ReferenceList<LocalAuthority>>(StatusCodes.Status200OK)]
    public static ReferenceList<LocalAuthority> Get(ReferenceData reference) => reference.LocalAuthorities;
}
