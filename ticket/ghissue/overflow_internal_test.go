package ghissue

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// The overflow issue stays within GitHub's limit however many drifts and
// however long their addresses: fewer rows shown, then the oldest and
// least severe entries dropped and counted.
func TestOverflowFitsGitHubsLimit(t *testing.T) {
	st := &overflowState{}
	at := time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)
	for i := range 1500 {
		sev := drift.Low
		if i%10 == 0 {
			sev = drift.Critical
		}
		d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_s3_bucket", Severity: sev, DetectedAt: at.Add(time.Duration(i) * time.Second),
			ResourceAddress: fmt.Sprintf(`module.m%d.aws_s3_bucket.b["%x%x"]`, i, sha256.Sum256([]byte(fmt.Sprint(i))), sha256.Sum256([]byte(fmt.Sprint(-i)))),
			Terraform:       drift.Location{State: "s3://tf/prod.tfstate"}}
		d.ComputeFingerprint()
		st = st.upsert(d)
	}
	if len(st.Entries) != maxOverflowEntries || st.Dropped != 500 {
		t.Fatalf("%d entries, %d dropped", len(st.Entries), st.Dropped)
	}
	body := fitOverflow(st, 50)
	if n := utf8.RuneCountInString(body); n > bodyBudget {
		t.Fatalf("overflow body of %d characters", n)
	}
	back := parseOverflow(body)
	if len(back.Entries) == 0 || back.Dropped <= 500 || back.Entries[0].Severity != "critical" {
		t.Errorf("after fitting: %d entries, %d dropped, first %+v", len(back.Entries), back.Dropped, back.Entries[0])
	}
	if !strings.Contains(body, fmt.Sprintf("… and %d more", len(back.Entries)-strings.Count(body, "| `module.m")+back.Dropped)) {
		t.Errorf("the body does not count what it leaves out")
	}
}
