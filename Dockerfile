# SmpVision service image. Unbuilt here (no Docker engine on the development machines): kept
# plain so that `docker build -t smpvision .` works wherever an engine exists.
# Ubuntu-based .NET images: Alpine's musl cannot load OpenCvSharp's official native runtime.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig SmpVision.sln ./
COPY protos/ protos/
COPY src/ src/
# The hair-verifier model is embedded into SmpVision.Pipeline.dll at build time.
COPY models/ models/
RUN dotnet publish src/SmpVision.Service/SmpVision.Service.csproj -c Release -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
# GTK3: needed by OpenCvSharp4.official.runtime.linux-x64; curl: for the HEALTHCHECK below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgtk-3-0t64 curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY models/ /app/models/
# Records (SQLite file and photos) on a volume; PostgreSQL instead when
# SmpVision__Records__PostgresConnectionString is set. Clinic API keys are required (ApiKey mode):
# create them with `docker exec <container> dotnet SmpVision.Service.dll keys create --clinic <id>`.
RUN mkdir -p /var/lib/smpvision && chown $APP_UID /var/lib/smpvision
VOLUME /var/lib/smpvision
# gRPC (HTTP/2 only) and JSON transcoding + gRPC-Web (HTTP/1.1) on all interfaces.
ENV Kestrel__Endpoints__Grpc__Url=http://+:5180 \
    Kestrel__Endpoints__Http__Url=http://+:5181 \
    DOTNET_gcServer=0 \
    SmpVision__Security__Mode=ApiKey \
    SmpVision__Records__DataDirectory=/var/lib/smpvision
EXPOSE 5180 5181
# The base image's non-root user.
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://localhost:5181/healthz || exit 1
ENTRYPOINT ["dotnet", "SmpVision.Service.dll"]
