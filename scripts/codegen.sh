#!/usr/bin/env bash
# Regenerates Wolverine's handler code under src/NationalRegister/Internal/Generated, which Production loads instead of
# compiling at start. Run it after changing an endpoint's or handler's signature, then commit the result; .ci/run fails
# while the committed code differs from what this writes. The old files are removed first: they may no longer compile.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/NationalRegister/Internal/Generated
dotnet build src/NationalRegister -v q -nologo > /dev/null
dotnet run --no-build --project src/NationalRegister -- codegen write > /dev/null
echo "Wrote $(ls src/NationalRegister/Internal/Generated/WolverineHandlers | wc -l) files to src/NationalRegister/Internal/Generated"
