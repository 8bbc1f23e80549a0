#!/usr/bin/env node
/**
 * Exit 0 when GET /healthz on this machine answers 200, else 1: the container HEALTHCHECK
 * (Dockerfile) and the CI smoke test of the production build (tools/smoke-dist.sh) both run it.
 * Reads PORT like the server does (default 3000); HEALTHCHECK_URL overrides the whole URL.
 */
const url = process.env.HEALTHCHECK_URL || `http://127.0.0.1:${process.env.PORT || 3000}/healthz`;
const timer = setTimeout(() => {
  console.error(`healthcheck: ${url} did not answer within 3 s`);
  process.exit(1);
}, 3000);
fetch(url).then(
  (res) => {
    clearTimeout(timer);
    if (!res.ok) console.error(`healthcheck: ${url} answered ${res.status}`);
    process.exit(res.ok ? 0 : 1);
  },
  (err) => {
    clearTimeout(timer);
    console.error(`healthcheck: ${url}: ${err.cause?.code ?? err.message}`);
    process.exit(1);
  },
);
