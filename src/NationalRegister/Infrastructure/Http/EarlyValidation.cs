using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace NationalRegister.Infrastructure.Http;

/// <summary>
/// Runs an append endpoint's own Validate (the checks that need no episode) before Wolverine loads the episode with its
/// row lock, so a 400 never holds another writer's episode (Wolverine's generated code loads the aggregate first). The
/// endpoint runs Validate again on the valid bodies; nothing else changes.
/// </summary>
public static class EarlyValidation
{
    private static readonly ConcurrentDictionary<HttpChain, MethodInfo?> Validators = new();

    /// <summary>Only the endpoints that lock an episode: a POST under /api/episodes/{episodeId}.</summary>
    public static bool Applies(HttpChain chain) =>
        chain.HttpMethods.Contains("POST") && chain.RoutePattern?.Parameters.Any(p => p.Name == "episodeId") == true;

    /// <summary>The endpoint's Validate problem for this body (already read by <see cref="CommandBodies"/>), or null.</summary>
    public static IResult? Check(HttpContext http, HttpChain chain)
    {
        if (!Applies(chain) || chain.RequestType is not { } type || http.Request.Body is not MemoryStream body || body.Length == 0) return null;
        if (Validators.GetOrAdd(chain, ValidatorOf) is not { } validate) return null;
        var command = JsonSerializer.Deserialize(body.ToArray(), type, http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        object?[] arguments = [command, .. validate.GetParameters().Skip(1).Select(p => http.RequestServices.GetRequiredService(p.ParameterType))];
        return validate.Invoke(null, arguments) is ITuple { Length: 2 } result && result[1] is ProblemDetails problem
            && !ReferenceEquals(problem, WolverineContinue.NoProblems)
            ? Results.Problem(problem)
            : null;
    }

    private static MethodInfo? ValidatorOf(HttpChain chain) => chain.Method.HandlerType
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .FirstOrDefault(m => m.Name == "Validate" && m.GetParameters() is [var first, ..] && first.ParameterType == chain.RequestType);
}
