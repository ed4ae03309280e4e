package wiring

import (
	"context"
	"testing"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/falcogrpc"
)

// TestFalcoGRPCIsJournaled: Falco's gRPC outputs never redeliver, so the
// input is marked journaled (with the source its messages carry); SQS
// redelivers and is not.
func TestFalcoGRPCIsJournaled(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte("falco:\n  unix_socket: /run/falco/falco.sock\nsqs:\n  queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/q\n  region: us-east-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	ins, err := Inputs(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 {
		t.Fatalf("%d inputs, want falco-grpc and sqs", len(ins))
	}
	if j, ok := ins[0].(ingest.Journaled); !ok || j.JournalSource() != falcogrpc.Source {
		t.Errorf("falco-grpc input: journaled %v", ok)
	}
	if _, ok := ins[1].(ingest.Journaled); ok {
		t.Error("the SQS input must not be journaled: it redelivers")
	}
}
