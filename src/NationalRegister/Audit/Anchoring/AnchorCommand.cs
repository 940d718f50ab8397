using JasperFx.CommandLine;
using NationalRegister.Infrastructure.Integrity;
using NationalRegister.Infrastructure.Postgres;
using Npgsql;

namespace NationalRegister.Audit.Anchoring;

/// <summary>Writes a checkpoint now: the heads of every stream appended to since the last one, signed, to the anchors folder.</summary>
[Description("Write a signed checkpoint of the stream heads to the anchors folder (Audit__Anchors__Folder)", Name = "anchor")]
public sealed class AnchorCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var folder = host.Services.GetRequiredService<CheckpointFolder>();
        await using var connection = new NpgsqlConnection(host.Services.GetRequiredService<RegisterDatabase>().ConnectionString);
        await connection.OpenAsync();
        var file = await folder.Write(connection, host.Services.GetRequiredService<TimeProvider>(), CancellationToken.None);
        Console.WriteLine(file is null
            ? $"Nothing committed since the last checkpoint in {folder.Path} (or the projections have not caught up yet: the high-water mark decides)."
            : $"Wrote {file}. Ship it where the database's administrators cannot change it.");
        return true;
    }
}
