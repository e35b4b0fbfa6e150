# Builds Wharf into an image: `docker build -t wharf .`; docker-compose.yml uses it.
FROM node:22-bookworm-slim AS build
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY shared/package.json shared/
COPY services/registry/package.json services/registry/
COPY services/common/package.json services/common/
COPY services/index/package.json services/index/
COPY services/cli/package.json services/cli/
RUN npm ci
COPY . .
RUN npx tsc -b shared services/common services/registry services/index services/cli && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
EXPOSE 5000 5001
ENTRYPOINT ["node", "services/cli/dist/src/main.js"]
CMD ["registry"]
