using JasperFx.CommandLine;
using NationalRegister.Infrastructure.Integrity;

namespace NationalRegister.Audit.Exporting;

public sealed class VerifyExportInput : NetCoreInput
{
    [Description("The bundle, as GET /api/people/{id}/history/export gave it")]
    public string File { get; set; } = "";
}

/// <summary>Checks a disclosure bundle offline (the chain key, no database): each changed, removed or added line, by number.</summary>
[Description("Verify a disclosure bundle offline: any edited, removed or added line fails with its line number", Name = "verify-export")]
public sealed class VerifyExportCommand : JasperFxCommand<VerifyExportInput>
{
    public override bool Execute(VerifyExportInput input)
    {
        if (!System.IO.File.Exists(input.File))
        {
            Console.Error.WriteLine($"No such file: {input.File}. Give the path of the bundle to check.");
            return false;
        }

        using var host = input.BuildHost();
        var problems = Bundle.Verify(System.IO.File.ReadAllText(input.File), host.Services.GetRequiredService<ChainKey>().Bytes);
        foreach (var problem in problems) Console.WriteLine($"BROKEN {problem}");
        Console.WriteLine(problems.Count == 0
            ? $"Verified: {input.File} is exactly the history the register exported."
            : $"{problems.Count} problem(s): do not rely on {input.File}.");
        return problems.Count == 0;
    }
}
