using System.Reflection;
using JasperFx;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using NationalRegister.Infrastructure.AccessLogging;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Commands;

/// <summary>
/// States in the OpenAPI document, once for every endpoint, each answer it can give: its success (the endpoint's own
/// [ProducesResponseType]) and each problem. A force's integration team reads there what to handle, rather than
/// learning it in production. Wolverine's inferred guesses (a bare 404, a 200 beside a 201) give way to this.
/// </summary>
public sealed class CommandResponses : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.RoutePattern?.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true))
        {
            List<int> problems = [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden];
            if (chain.RoutePattern!.Parameters.Count > 0) problems.Add(StatusCodes.Status404NotFound);
            if (chain.RequestType?.IsAssignableTo(typeof(ICommand)) == true)
                problems.AddRange([StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity]);
            var validated = chain.Middleware.SelectMany(f => f.Creates).Any(v => v.VariableType == typeof(ProblemDetails));
            if (validated && !problems.Contains(StatusCodes.Status400BadRequest)) problems.Add(StatusCodes.Status400BadRequest);
            // An access-logged read says why it may be refused: no justification (400), or no access log to record it in (503).
            if (chain.Method.Method.GetCustomAttribute<AccessLoggedAttribute>() is not null)
                problems.AddRange([.. new[] { StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable }.Except(problems)]);

            chain.Metadata.Finally(endpoint =>
            {
                foreach (var inferred in endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m is not ProducesResponseTypeAttribute).ToList())
                    endpoint.Metadata.Remove(inferred);
                foreach (var status in problems)
                    endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
            });
        }
    }
}
