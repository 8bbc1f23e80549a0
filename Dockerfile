# syntax=docker/dockerfile:1
# Production image: `docker build -t dianxiaoer .`, then see docker-compose.yml (with Redis)
# or README "Deploy". CI cannot run Docker, so tools/smoke-dist.sh runs these same steps
# (npm ci, npm run build, npm ci --omit=dev, node dist/src/main.js, the HEALTHCHECK command).
ARG NODE_VERSION=22

# 1. Build: every dependency, compile TypeScript to dist/ and minify the widget.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY tools ./tools
COPY src ./src
RUN npm run build

# 2. Production dependencies only (no TypeScript, tsx, jest, natural …).
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. Runtime: the compiled server, its dependencies and the data it reads, as user `node`.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    SCRIPTS_DIR=/app \
    SHOP_DIR=/app/demo/shop
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY tools/healthcheck.js ./tools/healthcheck.js
COPY demo ./demo
# The script editor publishes into intents/, templates/ and stories/ (stories managers keep
# from try-it) on the embedded store, and runs the conversation stories before each publish:
# the app's user owns those.
COPY --chown=node:node intents ./intents
COPY --chown=node:node templates ./templates
COPY --chown=node:node test/conversations ./test/conversations
RUN mkdir -p /data /app/stories && chown node:node /data /app/stories
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "tools/healthcheck.js"]
# Node itself is PID 1 (no npm, no shell in between), so SIGTERM from `docker stop` reaches
# the server, which finishes in-flight messages (SHUTDOWN_GRACE_MS) and exits. Keep
# `docker stop -t` above SHUTDOWN_GRACE_MS (default 10 s) + a few seconds.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
