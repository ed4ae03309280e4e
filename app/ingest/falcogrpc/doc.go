// Package falcogrpc reads Falco's gRPC outputs stream, for Falco releases
// before 0.44 (which removed the gRPC output), and hands each event to the
// daemon's pipeline as the same JSON a Falco http_output alert carries.
//
// It uses github.com/falcosecurity/client-go v0.6.1 (pinned exactly) over a
// unix socket (falco.yaml grpc.bind_address "unix:///run/falco/falco.sock")
// or TCP with mutual TLS, which is the only TCP mode client-go offers. It
// subscribes with the bidirectional Sub stream: Falco answers each request
// on it with the events queued since the last one, so the input sends a
// request every PollInterval.
//
// When the stream breaks, the input reconnects with jittered exponential
// backoff and reports connecting/connected/disconnected, with the last
// error, through Status for /readyz and metrics. Each event read is
// delivered once: a full pipeline (ErrOverloaded) is waited for, which
// stops reading the stream and lets Falco queue (backpressure, not loss).
// Falco cannot resend, so Message.Done only counts.
//
// Events from gRPC carry every output field as a string; the decoder
// accepts that as well as http_output's numbers and nulls.
//
// This package imports only app/ingest, the standard library, client-go and
// gRPC: never the detector, the store or the app.
package falcogrpc
