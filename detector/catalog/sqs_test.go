package catalog

import (
	"net/url"
	"strings"
	"testing"
)

func TestSQSCanonicalURL(t *testing.T) {
	const want = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
	tests := []struct {
		name, raw, region, want string
	}{
		{"already canonical", want, "us-east-1", want},
		{"upper-case host", "https://SQS.us-east-1.amazonaws.com/123456789012/orders", "us-east-1", want},
		{"legacy regional host", "https://us-east-1.queue.amazonaws.com/123456789012/orders", "eu-west-1", want},
		{"legacy global host takes the record's region", "https://queue.amazonaws.com/123456789012/orders", "us-east-1", want},
		{"VPC endpoint host", "https://vpce-0a1b-abcd.sqs.us-east-1.vpce.amazonaws.com/123456789012/orders", "us-east-1", want},
		{"trailing slash", want + "/", "us-east-1", want},
		{"China partition", "https://cn-north-1.queue.amazonaws.com.cn/123456789012/orders", "",
			"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders"},
		{"not a queue URL", "orders", "us-east-1", "orders"},
		{"no region to build with", "https://queue.amazonaws.com/123456789012/orders", "", "https://queue.amazonaws.com/123456789012/orders"},
		{"FIFO queue", "https://queue.amazonaws.com/123456789012/orders.fifo", "us-east-1", want + ".fifo"},
		{"an escaped byte in the path is not a queue name (a fuzz finding)", "//0/%00/0", "0", "//0/%00/0"},
		{"an account that is not digits", "https://queue.amazonaws.com/acct/orders", "us-east-1", "https://queue.amazonaws.com/acct/orders"},
		{"a host of odd characters", `https://sqs."x/123456789012/orders`, "us-east-1", `https://sqs."x/123456789012/orders`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sqsCanonicalURL(tt.raw, tt.region); got != tt.want {
				t.Errorf("sqsCanonicalURL(%q, %q) = %q, want %q", tt.raw, tt.region, got, tt.want)
			}
		})
	}
}

// FuzzSQSCanonicalURL checks that any queue URL a record may carry is
// either returned as is or rewritten to a well-formed queue URL with the
// same account and queue name, and that rewriting is idempotent.
func FuzzSQSCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/orders",
		"https://queue.amazonaws.com/123456789012/orders.fifo",
		"https://us-west-2.queue.amazonaws.com/123456789012/q",
		"https://vpce-1.sqs.eu-west-1.vpce.amazonaws.com/123456789012/q",
		"http://[::1]:namedport/a/b", "%zz", "", "https:///a/b",
	} {
		f.Add(s, "us-east-1")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got := sqsCanonicalURL(raw, region)
		if got == raw {
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "https" || !strings.HasPrefix(u.Host, "sqs.") {
			t.Fatalf("sqsCanonicalURL(%q, %q) = %q: not a queue URL", raw, region, got)
		}
		if again := sqsCanonicalURL(got, region); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", raw, got, again)
		}
	})
}

func TestSQSURLIfAttr(t *testing.T) {
	tests := []struct {
		name, req string
		set       bool
		want      int
	}{
		{"policy set", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","attributes":{"Policy":"{}"}}`, true, 1},
		{"policy set, asking for removal", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","attributes":{"Policy":"{}"}}`, false, 0},
		{"policy cleared", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","attributes":{"Policy":""}}`, false, 1},
		{"other attribute only", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","attributes":{"DelaySeconds":"5"}}`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := ctEvent(t, tt.req)
			if got := sqsURLIfAttr("Policy", tt.set)(ev); len(got) != tt.want {
				t.Errorf("got %v, want %d IDs", got, tt.want)
			}
		})
	}
}
