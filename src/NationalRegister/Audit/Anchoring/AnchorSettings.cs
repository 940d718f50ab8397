using NationalRegister.LocalPostgres;

namespace NationalRegister.Audit.Anchoring;

/// <summary>
/// The "Audit:Anchors" configuration section: where checkpoints go (a folder an operator ships elsewhere, e.g. to
/// write-once storage), and how often the register writes one on its own.
/// </summary>
public sealed class AnchorSettings
{
    public const string Section = "Audit:Anchors";

    /// <summary>Beside the embedded database's folder unless set (Audit__Anchors__Folder).</summary>
    public string? Folder { get; set; }

    /// <summary>0 writes none in the background (the anchor command still does).</summary>
    public double IntervalMinutes { get; set; } = 15;

    public string FolderOrDefault() =>
        Folder is { Length: > 0 } folder ? folder : Path.Combine(Path.GetDirectoryName(LocalPostgresServer.DefaultDataDirectory())!, "anchors");
}
