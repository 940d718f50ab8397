#:project ../src/NationalRegister.LocalPostgres
// Prints the folder of the PostgreSQL server binaries (initdb, pg_ctl, postgres) that the register's embedded default
// would use, or exits 1 when there are none: .ci/run uses the launcher's own search rather than a copy of it.
//   dotnet run .ci/postgres-bin.cs
using NationalRegister.LocalPostgres;

if (await LocalPostgresServer.FindBinariesAsync() is { } binaries)
{
    Console.WriteLine(binaries);
    return 0;
}

await Console.Error.WriteLineAsync(
    "No PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH, via pg_config --bindir or under /usr/lib/postgresql/*/bin.");
return 1;
