using NationalRegister.Infrastructure.Auth;

namespace NationalRegister.Episodes;

/// <summary>Who may see or change an episode: need to know (MoPI), checked against the episode itself.</summary>
public static class EpisodeAccess
{
    /// <summary>A force sees only its own episodes; children's services those of children in their care or area.</summary>
    public static bool MayRead(Caller caller, Episode episode) =>
        IsOwningForce(caller, episode) || HeldItBefore(caller, episode) || IsLocalAuthorityOf(caller, episode) || caller.IsAnalystOrAuditor;

    /// <summary>A force that transferred the episode away keeps reading it.</summary>
    public static bool HeldItBefore(Caller caller, Episode episode) => caller.Force is { } force && episode.PreviousForces.Contains(force);

    public static bool IsOwningForce(Caller caller, Episode episode) => caller.IsForce && episode.Force == caller.Force;

    public static bool IsLocalAuthorityOf(Caller caller, Episode episode) =>
        caller.IsChildrensServices && string.Equals(episode.LocalAuthority, caller.LocalAuthority, StringComparison.OrdinalIgnoreCase);
}
