# Build: restore first (cached while only sources change), then publish.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/NationalRegister/NationalRegister.csproj src/NationalRegister/
COPY src/NationalRegister.LocalPostgres/NationalRegister.LocalPostgres.csproj src/NationalRegister.LocalPostgres/
RUN dotnet restore src/NationalRegister/NationalRegister.csproj
COPY src/ src/
RUN dotnet publish src/NationalRegister -c Release -o /app --no-restore

# Run: ASP.NET Core runtime only, as the image's non-root user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "NationalRegister.dll"]
