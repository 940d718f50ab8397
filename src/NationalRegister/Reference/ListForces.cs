using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.Auth;
using Wolverine.Http;

namespace NationalRegister.Reference;

/// <summary>The forces the register knows, by the codes every command, token and filter uses.</summary>
public static class ListForcesEndpoint
{
    [WolverineGet(ReferenceData.ForcesAt, OperationId = "ListForces")]
    [Authorize(Policy = Policies.AnyRole)]
    [ProducesResponseType<ReferenceList<Force>>(StatusCodes.Status200OK)]
    public static ReferenceList<Force> Get(ReferenceData reference) => reference.Forces;
}
