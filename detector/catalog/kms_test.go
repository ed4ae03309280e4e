package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

func TestKMSKeyARN(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct {
		name, req, region string
		resources         []string
		want              []string
	}{
		{"from resources", `{"keyId":"alias/x"}`, "us-east-1",
			[]string{"arn:aws:kms:us-east-1:123456789012:alias/x", arn}, []string{arn}},
		{"key ARN in the request", `{"keyId":"` + arn + `"}`, "us-east-1", nil, []string{arn}},
		{"key ID qualified with region and account", `{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}`, "us-east-1", nil, []string{arn}},
		{"GovCloud partition", `{"keyId":"k1"}`, "us-gov-west-1", nil, []string{"arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/k1"}},
		{"alias cannot be resolved", `{"keyId":"alias/payments"}`, "us-east-1", nil, nil},
		{"alias ARN cannot be resolved", `{"keyId":"arn:aws:kms:us-east-1:123456789012:alias/payments"}`, "us-east-1", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := NewEvent(&change.Change{Provider: change.AWS, Account: "123456789012", Region: tt.region,
				Request: json.RawMessage(tt.req), ResourceARNs: tt.resources})
			if got := kmsKeyARN()(ev); !cmp.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
