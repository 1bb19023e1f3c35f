# faceblog: one image for the worker (`node dist/main-worker.js`) and the bot (`node dist/cli.js bot`).
# Models are not baked in: mount them at /models (fill it once with `npm run models`, or point
# FACEBLOG_MODEL_MIRROR at a folder that holds them).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Toolchain for better-sqlite3 when no prebuilt binary matches (it compiles from source instead).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build and fetch models before the sources are here.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 sharp onnxruntime-node
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY models/manifest.json ./models/manifest.json
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# glibc gives every model thread its own malloc arena and keeps freed inference buffers: two arenas and
# a 1 MiB trim threshold cut the album job's peak RSS from ~800 to ~480 MB for ~13 % fewer photos/s
# (bench/pipeline.ts, 2 threads, 12 MP photos).
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=1048576 \
    NODE_ENV=production \
    FACEBLOG_DATA_DIR=/data \
    FACEBLOG_MODELS_DIR=/models \
    FACEBLOG_OFFLINE=1
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models/manifest.json ./models/manifest.json
COPY package.json ./
RUN mkdir -p /data /models && chown -R node:node /data /models
USER node
VOLUME ["/data", "/models"]
# The worker by default; the bot service overrides the command.
CMD ["node", "dist/main-worker.js"]
