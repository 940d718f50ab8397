using System.Net;
using NationalRegister.Audit.AccessLog;

namespace NationalRegister.Tests.Api;

/// <summary>
/// Disclosure (issue #11): a person's history exported to a recipient as a signed, self-contained bundle, recorded as a
/// disclosure in the access log, and checked offline by `verify-export`, which names the line of any change.
/// </summary>
[Collection(RegisterCollection.Name)]
public sealed class DisclosureTests(RegisterFixture fixture) : RegisterTests(fixture)
{
    private async Task<(Reported Child, string[] Lines)> Exported(string recipient = "IOPC case 2026/0042")
    {
        var child = await Api.ChildReportedBy(Gmp, episodes: 2);
        await Api.AssessRisk(Gmp, child.Episodes[1], "High");
        var reply = await Api.Get(As.Auditor, $"/api/people/{child.PersonId}/history/export?recipient={Uri.EscapeDataString(recipient)}");
        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        reply.Headers["Content-Type"].ShouldStartWith("application/x-ndjson");
        return (child, reply.Text.TrimEnd('\n').Split('\n'));
    }

    /// <summary>`verify-export FILE` as an auditor runs it: no database, only the chain key.</summary>
    private static async Task<(int ExitCode, string Output)> VerifyExport(IEnumerable<string> lines)
    {
        var file = Path.Combine(Path.GetTempPath(), $"nr-bundle-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllTextAsync(file, string.Join('\n', lines) + "\n");
        try
        {
            var (exitCode, stdout, stderr) = await RegisterProcess.Run(new Dictionary<string, string?> { ["ConnectionStrings__Register"] = "" },
                "verify-export", file);
            return (exitCode, stdout + stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task an_exported_history_verifies_offline_and_is_in_the_access_log_as_a_disclosure()
    {
        var (child, lines) = await Exported();

        lines.Length.ShouldBe(1 + 3 + 1);       // manifest, three events, signature
        lines[0].ShouldContain(child.PersonId.ToString());
        lines[0].ShouldContain("IOPC case 2026/0042");
        var (exitCode, output) = await VerifyExport(lines);
        exitCode.ShouldBe(0, output);
        output.ShouldContain("Verified");
        var log = (await Api.List<AccessEntry>(As.Auditor, $"/api/audit/access-log?personId={child.PersonId}")).Items;
        log.ShouldContain(e => e.Action == "disclosure" && e.Recipient == "IOPC case 2026/0042" && e.EpisodeIds.Count == 2);
    }

    [Fact]
    public async Task an_edited_line_fails_with_its_line_number()
    {
        var (_, lines) = await Exported();
        lines[2] = lines[2].Replace("\"High\"", "\"Low\"", StringComparison.Ordinal).Replace("Bus station", "Elsewhere", StringComparison.Ordinal)
            .Replace("Town centre", "Elsewhere", StringComparison.Ordinal);

        var (exitCode, output) = await VerifyExport(lines);

        exitCode.ShouldBe(1);
        output.ShouldContain("line 3:");
        output.ShouldContain("signature does not verify");
    }

    [Fact]
    public async Task a_removed_line_fails_with_the_line_where_it_was_missed()
    {
        var (_, lines) = await Exported();
        var last = lines[^2];                     // the grading, the last event of the second episode

        var (exitCode, output) = await VerifyExport(lines.Where(l => l != last));

        exitCode.ShouldBe(1);
        output.ShouldContain("should end at version 2");
    }

    [Fact]
    public async Task an_added_line_fails_with_its_line_number()
    {
        var (_, lines) = await Exported();
        var forged = lines[^2].Replace("\"version\":2", "\"version\":3", StringComparison.Ordinal);

        var (exitCode, output) = await VerifyExport([.. lines[..^1], forged, lines[^1]]);

        exitCode.ShouldBe(1);
        output.ShouldContain($"line {lines.Length}:");
    }

    [Fact]
    public async Task a_disclosure_names_its_recipient_and_is_for_auditors()
    {
        var child = await Api.ChildReportedBy(Gmp);

        (await Api.Get(As.Auditor, $"/api/people/{child.PersonId}/history/export")).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.Get(Gmp, $"/api/people/{child.PersonId}/history/export?recipient=Someone")).Status.ShouldBe(HttpStatusCode.Forbidden);
    }
}
