# One image for every process of the hub: `npm run subgraph -- <name>` or `npm run gateway`
# (compose.yaml runs them). Secrets come from the environment, never from the image.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production APOLLO_TELEMETRY_DISABLED=1 HOST=0.0.0.0 DATA_DIR=/home/node/data
USER node
