# faceblog: one image for every process: the worker (default), `faceblog bot`, `faceblog discord` and
# `faceblog serve`. Models are not baked in: mount them at /models (fill it once with `npm run models`,
# or point FACEBLOG_MODEL_MIRROR at a folder that holds them).
#
# Node: the current LTS line. package.json `engines` lists every line the project runs on (CI still
# runs Node 20); better-sqlite3 12.11 supports up to 26.x.
ARG NODE_IMAGE=node:26-bookworm-slim

# Compile the TypeScript (needs the dev dependencies; nothing of this stage's node_modules ships).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Scripts off: `prepare` would build and fetch models before the sources are here, and no dependency's
# install script is needed to compile.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# The runtime dependencies only, the way test/packaging/runtime-install.test.ts checks them (offline,
# no NuGet download, no foreign binaries).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Toolchain for better-sqlite3 when no prebuilt binary matches (it compiles from source instead).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY scripts/install-runtime-deps.sh ./scripts/
RUN sh scripts/install-runtime-deps.sh

FROM ${NODE_IMAGE}
WORKDIR /app
# glibc gives every model thread its own malloc arena and keeps freed inference buffers: two arenas and
# a 1 MiB trim threshold cut the album job's peak RSS from ~800 to ~480 MB for ~13 % fewer photos/s
# (bench/pipeline.ts, 2 threads, 12 MP photos).
# FACEBLOG_OPS_PORT: every process answers /healthz, /readyz and /metrics there (the API also on its own
# port), so one HEALTHCHECK fits every container of this image.
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=1048576 \
    NODE_ENV=production \
    FACEBLOG_DATA_DIR=/data \
    FACEBLOG_MODELS_DIR=/models \
    FACEBLOG_OFFLINE=1 \
    FACEBLOG_OPS_PORT=9464
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY models/manifest.json ./models/manifest.json
COPY package.json ./
RUN mkdir -p /data /models && chown -R node:node /data /models
USER node
VOLUME ["/data", "/models"]
EXPOSE 9464
# Liveness: the process answers /healthz. Readiness (/readyz: Redis and the stores answer) is for the
# orchestrator to route on; docker-compose.yml uses it for depends_on. start-period covers loading the
# models and migrating the metadata store.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "dist/cli.js", "healthcheck"]
# The worker by default; the other services override the command.
CMD ["node", "dist/main-worker.js"]
