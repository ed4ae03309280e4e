package config

import (
	"strings"
	"testing"
	"time"
)

func TestSQS(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`sqs:
  queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/tfdrift-events"
  dlq_url: "https://sqs.us-east-1.amazonaws.com/123456789012/tfdrift-dlq"
  visibility_timeout: 2m
`))
	if err != nil {
		t.Fatal(err)
	}
	q := cfg.SQS
	if !q.Enabled || q.MaxReceives != DefaultSQSMaxReceives || q.Pollers != DefaultSQSPollers || q.VisibilityTimeout != 2*time.Minute ||
		q.DLQURL != "https://sqs.us-east-1.amazonaws.com/123456789012/tfdrift-dlq" {
		t.Errorf("sqs = %+v", q)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"sqs:\n  region: us-east-1\n", "c.yaml:1: sqs.queue_url: missing"},
		{"sqs:\n  queue_url: not a url\n", "c.yaml:2: sqs.queue_url"},
		{"sqs:\n  queue_url: https://q\n  max_receives: -1\n", "sqs.max_receives: must be at least 1"},
		{"sqs:\n  queue_url: https://q\n  pollers: 100\n", "sqs.pollers: must be between 1 and 64"},
		{"sqs:\n  queue_url: https://q\n  dlq_url: https://sqs.us-east-1.amazonaws.com/1/dead.fifo\n", "c.yaml:3: sqs.dlq_url: is a FIFO queue; tfdrift dead-letters to a standard queue"},
	} {
		_, err := Parse("c.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
	if cfg, err := Parse("c.yaml", []byte("sqs:\n  enabled: false\n")); err != nil || cfg.SQS.Enabled {
		t.Errorf("disabled block: %v %+v", err, cfg)
	}
}

func TestCodeURL(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("notifications:\n  code_url: \"https://github.com/acme/infra/blob/main/{file}#L{line}\"\n"))
	if err != nil || cfg.Notifications.CodeURL != "https://github.com/acme/infra/blob/main/{file}#L{line}" {
		t.Fatalf("%v %+v", err, cfg)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"notifications:\n  code_url: \"https://github.com/acme/infra\"\n", "notifications.code_url: the template needs {file}"},
		{"notifications:\n  code_url: \"not a url {file}\"\n", "c.yaml:2: notifications.code_url"},
	} {
		if _, err := Parse("c.yaml", []byte(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
