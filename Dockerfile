# One image for the whole of Carve. Its command chooses what a container runs:
#   the monolith (the default):  node --max-semi-space-size=8 --heap-growing-percent=40 --enable-source-maps dist/main.js
#   one module as a service:     node --max-semi-space-size=8 --heap-growing-percent=40 --enable-source-maps dist/service.js payments
# test/architecture/deployment.test.ts reads this file: keep CMD the monolith, and
# keep every COPY source in the repository.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits. The build tools stay
# in this stage; the runtime stage gets only the compiled node_modules.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# The processes run a bundle of src/ made by esbuild (a production dependency), as `npm
# start` does: loading TypeScript through tsx at run time costs about 40 MB per process.
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
# MALLOC_ARENA_MAX as `npm start` sets it: glibc gives each thread that allocates an arena
# of its own (up to 8 per core), and the arenas of V8's helper threads kept about 20 MB of
# freed memory under load. With two, the monolith peaked at 165-169 MB rather than 185-187.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# Everything under /app stays owned by root, so the running process cannot rewrite its code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/dist ./dist
# src/ too: the admin page's files, and the sources `npm run carve` runs through tsx.
COPY package.json tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
# SQLite files live in /data, the one writable place. With DATABASE_URL set (Compose,
# Kubernetes) nothing is written there.
RUN mkdir -p /data && chown 1000:1000 /data
# 1000 is the image's `node` user. Numeric, because Kubernetes can only enforce
# runAsNonRoot when the image's user is a number.
USER 1000:1000
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node, not npm, is PID 1: npm would not pass SIGTERM on, and main.ts drains on SIGTERM.
# As `npm start` runs: an 8 MB young generation, and an old space that grows 40% past the
# live heap before a full collection rather than up to 4x, as V8 allows on a host with 2 GB
# or more. Without them the monolith peaked at 251-290 MB RSS under load; with them under
# 200, at the same CPU per order (README, "What the seams cost").
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=40", "--enable-source-maps", "dist/main.js"]
