package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tfdrift/tfdrift/app/store"
)

// Resource keys as ticket.ResourceKey builds them: NUL-separated.
const (
	resWeb  = "tf\x00prod.tfstate\x00default\x00aws_security_group.web"
	resLogs = "cloud\x00aws\x00123456789012\x00aws_s3_bucket\x00logs"
)

func TestReceipts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		jira := store.Receipt{Fingerprint: "fp1", Sink: "jira", Target: "INFRA", ResourceKey: resWeb,
			System: "jira", ExternalID: "INFRA-1", URL: "https://jira.example/browse/INFRA-1"}
		github := store.Receipt{Fingerprint: "fp1", Sink: "github", ResourceKey: resWeb,
			System: "github", ExternalID: "12", URL: "https://github.com/acme/infra/issues/12"}
		logs := store.Receipt{Fingerprint: "fp2", Sink: "jira", Target: "INFRA", ResourceKey: resLogs,
			System: "jira", ExternalID: "INFRA-2"}
		group := store.Receipt{Fingerprint: "grp_1", Sink: "slack", System: "slack", ExternalID: "C1/1.2"}
		first := clk.Now()
		for _, r := range []store.Receipt{jira, github, logs, group} {
			if err := st.PutReceipt(ctx, r); err != nil {
				t.Fatalf("PutReceipt(%s/%s): %v", r.Fingerprint, r.Sink, err)
			}
			clk.Advance(time.Second)
		}
		// The ticket changed (a redelivery found another one): replaced,
		// with the first CreatedAt kept.
		jira.ExternalID, jira.URL = "INFRA-3", "https://jira.example/browse/INFRA-3"
		if err := st.PutReceipt(ctx, jira); err != nil {
			t.Fatal(err)
		}
		got, err := st.ReceiptsFor(ctx, "fp1")
		if err != nil {
			t.Fatal(err)
		}
		jira.CreatedAt, jira.UpdatedAt = first, clk.Now()
		github.CreatedAt, github.UpdatedAt = first.Add(time.Second), first.Add(time.Second)
		if diff := cmp.Diff([]store.Receipt{jira, github}, got); diff != "" {
			t.Errorf("ReceiptsFor(fp1) (-want +got):\n%s", diff)
		}
		// By resource, NUL separators and all, newest first.
		byRes, err := st.ReceiptsForResource(ctx, resWeb, resLogs, resWeb, "no such resource")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range byRes {
			ids = append(ids, r.ExternalID)
			if r.ResourceKey != resWeb && r.ResourceKey != resLogs {
				t.Errorf("resource key came back as %q", r.ResourceKey)
			}
		}
		if diff := cmp.Diff([]string{"INFRA-3", "INFRA-2", "12"}, ids); diff != "" {
			t.Errorf("ReceiptsForResource (-want +got):\n%s", diff)
		}
		// By what they name at the destination: the GitHub issue, whichever
		// drift left it.
		again := store.Receipt{Fingerprint: "fp3", Sink: "github", ResourceKey: resWeb,
			System: "github", ExternalID: "12", URL: "https://github.com/acme/infra/issues/12"}
		if err := st.PutReceipt(ctx, again); err != nil {
			t.Fatal(err)
		}
		var fps []string
		issue, err := st.ReceiptsByExternalID(ctx, "github", "12")
		for _, r := range issue {
			fps = append(fps, r.Fingerprint)
		}
		if err != nil || !cmp.Equal([]string{"fp3", "fp1"}, fps) {
			t.Errorf("ReceiptsByExternalID(github, 12) = %v, %v; want fp3, fp1", fps, err)
		}
		if got, err := st.ReceiptsByExternalID(ctx, "jira", "12"); err != nil || len(got) != 0 {
			t.Errorf("another system's 12: %+v, %v", got, err)
		}
		if got, err := st.ReceiptsByExternalID(ctx, "github", ""); err != nil || len(got) != 0 {
			t.Errorf("an empty ID: %+v, %v", got, err)
		}
		if got, err := st.ReceiptsFor(ctx, "grp_1"); err != nil || len(got) != 1 || got[0].ResourceKey != "" {
			t.Errorf("a group's receipt: %+v, %v", got, err)
		}
		if got, err := st.ReceiptsForResource(ctx); err != nil || len(got) != 0 {
			t.Errorf("ReceiptsForResource() = %v, %v", got, err)
		}
		for _, bad := range []store.Receipt{{Sink: "jira"}, {Fingerprint: "fp"}} {
			if err := st.PutReceipt(ctx, bad); err == nil {
				t.Errorf("PutReceipt(%+v) accepted it", bad)
			}
		}
	})
}

// MarkDelivered records the delivery's receipts in its transaction; a
// lost lease records none.
func TestMarkDeliveredWithReceipts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		standalone(t, st, "jira", 2)
		ns := claim(t, st, "w", 2)
		rc := store.Receipt{Fingerprint: "fp1", Sink: "jira", Target: "INFRA", ResourceKey: resWeb, System: "jira", ExternalID: "INFRA-1"}
		if err := st.MarkDelivered(ctx, ns[0].ID, "w", rc); err != nil {
			t.Fatalf("MarkDelivered: %v", err)
		}
		got, err := st.ReceiptsFor(ctx, "fp1")
		if err != nil || len(got) != 1 || got[0].NoticeID != ns[0].ID || got[0].ExternalID != "INFRA-1" {
			t.Fatalf("receipt after delivery: %+v, %v", got, err)
		}
		// Settled already, and then by a stranger: nothing recorded.
		other := rc
		other.Fingerprint = "fp-lost"
		if err := st.MarkDelivered(ctx, ns[0].ID, "w", other); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("second MarkDelivered = %v, want ErrLeaseLost", err)
		}
		if err := st.MarkDelivered(ctx, ns[1].ID, "stranger", other); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("MarkDelivered by a stranger = %v, want ErrLeaseLost", err)
		}
		if err := st.MarkDelivered(ctx, 424242, "w", other); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MarkDelivered(unknown) = %v, want ErrNotFound", err)
		}
		if got, _ := st.ReceiptsFor(ctx, "fp-lost"); len(got) != 0 {
			t.Errorf("a lost lease recorded %+v", got)
		}
		if n := noticesByStatus(t, st, store.NoticeDelivered); len(n) != 1 {
			t.Errorf("%d delivered, want 1", len(n))
		}
		// An invalid receipt fails the whole settle: the notice stays
		// claimed, to be retried.
		if err := st.MarkDelivered(ctx, ns[1].ID, "w", store.Receipt{Sink: "jira"}); err == nil || errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("MarkDelivered with a receipt without fingerprint = %v", err)
		}
		if n := noticesByStatus(t, st, store.NoticeInflight); len(n) != 1 {
			t.Errorf("%d inflight after a refused settle, want 1", len(n))
		}
	})
}

// Text that Postgres refuses (NUL, invalid UTF-8) is stored cleaned;
// a long external ID is kept bounded.
func TestReceiptHostileText(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		st := open(t, dsn, newClock())
		ctx := context.Background()
		r := store.Receipt{Fingerprint: "fp", Sink: "webhook", ResourceKey: "tf\x00a\xff\x00b",
			ExternalID: "id\x00with nul", URL: strings.Repeat("u", 5000)}
		if err := st.PutReceipt(ctx, r); err != nil {
			t.Fatalf("PutReceipt: %v", err)
		}
		got, err := st.ReceiptsForResource(ctx, r.ResourceKey)
		if err != nil || len(got) != 1 {
			t.Fatalf("look-up by a key with invalid UTF-8: %+v, %v", got, err)
		}
		want := store.Receipt{Fingerprint: "fp", Sink: "webhook", ResourceKey: "tf\x00a\uFFFD\x00b", ExternalID: "idwith nul"}
		if diff := cmp.Diff(want, got[0], cmpopts.IgnoreFields(store.Receipt{}, "URL", "CreatedAt", "UpdatedAt")); diff != "" {
			t.Errorf("stored (-want +got):\n%s", diff)
		}
		if len(got[0].URL) > 2100 {
			t.Errorf("URL kept %d bytes", len(got[0].URL))
		}
	})
}
