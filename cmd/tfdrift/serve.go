package main

import "github.com/tfdrift/tfdrift/app/serve"

func init() {
	register("serve", command{summary: "the long-running detector: Falco, SQS and state in, drifts out",
		run: jobCommand("serve", "serve [--config F] [--listen ADDR] [--state F]... [--repo DIR] [flags]", serveHelp, nil, serve.Run)})
}

const serveHelp = `
Runs the detector as a daemon. Falco alerts arrive on POST /falco (Falco's
http_output or falcosidekick's webhook); older Falco over gRPC and
EventBridge→SQS come from the config. Each write is compared with
Terraform state, which is re-read whenever its backend object changes and at
least every state_refresh_interval. Each drift is recorded in the store and
then printed (--format) and sent to the configured notices.

Endpoints: POST /falco (also /falco/<secret>), /healthz, /readyz (state
loaded and inputs connected), /metrics (Prometheus). --metrics-listen moves
/metrics and /readyz to an address of their own, without a secret; without
it, on an address that is not loopback, they need /falco's secret as a
bearer token. Refused requests are counted (tfdrift_events_rejected_total)
and logged, the first of each reason per minute; --access-log logs all.

/falco needs a shared secret (--falco-secret, as /falco/<secret>, ?token= or
"Authorization: Bearer"), except on a loopback address, where the quick
start runs without one. serve refuses to start on any other address
without a secret.

Signals: SIGTERM/SIGINT drain in-flight events and exit 0; SIGHUP reloads the
config (rules, trusted actors, ignore file, repo) without dropping events.

Exit status: 0 stopped by a signal after draining; 1 it could not start (a
bad flag or config, unreadable state, a public address without a secret, a
port in use) or the HTTP server failed.

Quick start (no config file):
  tfdrift serve --listen 127.0.0.1:8080 --state terraform.tfstate --repo . --format json
  curl -s -XPOST --data-binary @alert.json 127.0.0.1:8080/falco

Production: see docs/deploy.md and deploy/helm.`
