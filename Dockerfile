# One image for every wareflow process (scheduler, worker, streaming, dashboard, generate, db
# migrate). tsx runs the TypeScript sources directly, so there is no build stage and the
# production dependencies (tsx among them) are all the image needs.
FROM node:20-slim

ENV NODE_ENV=production \
    DATA_DIR=/data \
    LOG_LEVEL=info

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000 3001 3002

# `npx wareflow …` would work too; running node directly lets SIGTERM reach the process, so
# workers and the sidecar drain and close cleanly when a container stops.
ENTRYPOINT ["node", "bin/wareflow.js"]
CMD ["start"]
