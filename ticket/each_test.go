package ticket_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

func TestSendEach(t *testing.T) {
	ds := []*drift.Drift{{Fingerprint: "a"}, {Fingerprint: "b"}, {Fingerprint: "c"}}
	ok := func(d *drift.Drift) (ticket.Receipt, error) {
		return ticket.Receipt{ExternalID: "#" + d.Fingerprint}, nil
	}
	tests := []struct {
		name          string
		fail          map[string]error
		wantPerDrift  int
		wantPermanent bool
		wantRetry     bool
		wantCalls     int
	}{
		{name: "all delivered", wantPerDrift: 3, wantCalls: 3},
		{name: "one transient", fail: map[string]error{"b": errors.New("502")}, wantCalls: 3},
		{name: "permanent only", fail: map[string]error{"a": ticket.Permanentf("404"), "c": ticket.Permanentf("422")}, wantPermanent: true, wantCalls: 3},
		{name: "permanent and transient", fail: map[string]error{"a": ticket.Permanentf("404"), "b": errors.New("502")}, wantCalls: 3},
		{name: "rate limited stops", fail: map[string]error{"a": &ticket.RetryAfterError{After: time.Minute}}, wantRetry: true, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			rc, err := ticket.SendEach(ds, ticket.TypeGitHub, "github issues", func(d *drift.Drift) (ticket.Receipt, error) {
				calls++
				if e := tt.fail[d.Fingerprint]; e != nil {
					return ticket.Receipt{}, e
				}
				return ok(d)
			})
			if calls != tt.wantCalls {
				t.Errorf("%d sends, want %d", calls, tt.wantCalls)
			}
			if tt.fail == nil {
				if err != nil || len(rc.PerDrift) != tt.wantPerDrift || rc.System != ticket.TypeGitHub || rc.PerDrift["b"].ExternalID != "#b" {
					t.Errorf("receipt %+v, %v", rc, err)
				}
				return
			}
			_, retry := ticket.RetryAfter(err)
			if err == nil || ticket.IsPermanent(err) != tt.wantPermanent || retry != tt.wantRetry || !rc.IsZero() {
				t.Errorf("error %v (permanent %v, retry %v), receipt %+v", err, ticket.IsPermanent(err), retry, rc)
			}
		})
	}
}
