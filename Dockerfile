# One image for every process of the hub (compose.yaml runs them): the compiled code, run by
# node. Secrets come from the environment, never from the image.
#
# Build stage: the same commands CI runs (.ci/run: `npm ci`, then `npm run build`);
# test/compose.test.ts checks they stay the same, and the test suite runs what they build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies only (no TypeScript, no tsx), dist/ from the build.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production APOLLO_TELEMETRY_DISABLED=1 HOST=0.0.0.0 PORT=4000 DATA_DIR=/home/node/data
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000
# Ready: the process serves and what it needs answers (compose.yaml sets one per service).
HEALTHCHECK --interval=5s --timeout=5s --retries=30 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The gateway by default; a subgraph: `node dist/scripts/subgraph.js <name>`.
CMD ["node", "dist/scripts/gateway.js"]
