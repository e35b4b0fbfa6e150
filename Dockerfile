# Builds Wharf into an image: `docker build -t wharf .`; docker-compose.yml uses it.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY shared/package.json shared/
COPY services/registry/package.json services/registry/
COPY services/cli/package.json services/cli/
RUN npm ci
COPY . .
RUN npx tsc -b shared services/registry services/cli && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
EXPOSE 5000
ENTRYPOINT ["node", "services/cli/dist/src/main.js"]
CMD ["registry"]
