package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store"
)

// TestLocks: a lease excludes every other holder, on this store or
// another replica's, until it is released or runs out; a holder whose
// lease ran out and was taken cannot renew or release the new one.
func TestLocks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clk := newClock()
		a, b := open(t, dsn, clk), open(t, dsn, clk) // two replicas
		const name = "revert:acme/infra:envs/prod:default"
		l, err := a.TryLock(ctx, name, "revert of aws_security_group.web by @alice", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.TryLock(ctx, name, "revert by @bob", time.Hour)
		var le *store.LockedError
		if !errors.As(err, &le) || le.Holder != "revert of aws_security_group.web by @alice" || !le.Since.Equal(clk.Now()) ||
			!le.Until.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("second TryLock: %v (%+v), want *LockedError naming alice", err, le)
		}
		if _, err := b.TryLock(ctx, "revert:acme/infra:envs/staging:default", "bob", time.Hour); err != nil {
			t.Errorf("another root's lock: %v", err)
		}
		clk.Advance(50 * time.Minute)
		if l, err = a.RenewLock(ctx, l, time.Hour); err != nil || !l.ExpiresAt.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("RenewLock: %+v, %v", l, err)
		}
		clk.Advance(30 * time.Minute) // within the renewed lease
		if _, err := b.TryLock(ctx, name, "bob", time.Hour); !errors.As(err, &le) {
			t.Fatalf("TryLock within a renewed lease: %v", err)
		}
		if err := a.Unlock(ctx, l); err != nil {
			t.Fatal(err)
		}
		lb, err := b.TryLock(ctx, name, "bob", time.Minute)
		if err != nil {
			t.Fatalf("TryLock after Unlock: %v", err)
		}
		// bob's lease runs out (he died); carol takes it; bob's late
		// renew and release must not touch carol's.
		clk.Advance(2 * time.Minute)
		lc, err := a.TryLock(ctx, name, "carol", time.Hour)
		if err != nil {
			t.Fatalf("TryLock of an expired lease: %v", err)
		}
		if _, err := b.RenewLock(ctx, lb, time.Hour); !errors.Is(err, store.ErrLockLost) {
			t.Errorf("renewing a lease another holder took: %v", err)
		}
		if err := b.Unlock(ctx, lb); !errors.Is(err, store.ErrLockLost) {
			t.Errorf("releasing a lease another holder took: %v", err)
		}
		if _, err := b.TryLock(ctx, name, "dave", time.Hour); !errors.As(err, &le) || le.Holder != "carol" {
			t.Errorf("carol's lease was lost: %v", err)
		}
		if err := a.Unlock(ctx, lc); err != nil {
			t.Error(err)
		}
	})
}

// TestLocksRace: many goroutines on two replicas race for one free
// lease; exactly one wins.
func TestLocksRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		stores := []store.Store{open(t, dsn, nil), open(t, dsn, nil)}
		var mu sync.Mutex
		wins, held := 0, 0
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := stores[i%2].TryLock(ctx, "root", "job", time.Hour)
				var le *store.LockedError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.As(err, &le):
					held++
				default:
					t.Errorf("TryLock: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || held != 15 {
			t.Errorf("%d won and %d found it held, want 1 and 15", wins, held)
		}
	})
}

// TestIgnores: ignores are per resource, their key round-trips with NUL
// bytes, and an expired one is no longer active, then pruned.
func TestIgnores(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clk := newClock()
		st := open(t, dsn, clk)
		key := "tf\x00prod.tfstate\x00default\x00aws_security_group.web"
		err := st.AddIgnores(ctx,
			store.Ignore{ResourceKey: key, Attribute: "ingress", ValueHash: "h1", Fingerprint: "fp1", Actor: "alice", Note: "/tfdrift ignore"},
			store.Ignore{ResourceKey: key, Attribute: "tags", ValueHash: "h2", Fingerprint: "fp1", Actor: "alice", ExpiresAt: clk.Now().Add(7 * 24 * time.Hour)},
			store.Ignore{ResourceKey: "tf\x00prod.tfstate\x00default\x00aws_instance.app", Attribute: "tags", ValueHash: "h3"},
		)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddIgnores(ctx, store.Ignore{ResourceKey: key, Attribute: "tags"}); err == nil {
			t.Error("an ignore without a value hash was accepted")
		}
		got, err := st.ActiveIgnores(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.Ignore{
			{ResourceKey: key, Attribute: "ingress", ValueHash: "h1", Fingerprint: "fp1", Actor: "alice", Note: "/tfdrift ignore", CreatedAt: clk.Now()},
			{ResourceKey: key, Attribute: "tags", ValueHash: "h2", Fingerprint: "fp1", Actor: "alice", CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(7 * 24 * time.Hour)},
		}
		if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ID" }, cmp.Ignore())); diff != "" {
			t.Errorf("ActiveIgnores (-want +got):\n%s", diff)
		}
		clk.Advance(8 * 24 * time.Hour)
		if got, _ := st.ActiveIgnores(ctx, key); len(got) != 1 || got[0].Attribute != "ingress" {
			t.Errorf("after expiry: %+v, want only the lasting ignore", got)
		}
		if n, err := st.PruneIgnores(ctx, clk.Now()); err != nil || n != 1 {
			t.Errorf("PruneIgnores = %d, %v; want 1", n, err)
		}
	})
}

// TestPulls: one record per pull request, found by number and by its
// resource while open.
func TestPulls(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clk := newClock()
		st := open(t, dsn, clk)
		p := store.PullRecord{Repo: "Acme/Infra", Number: 7, Branch: "tfdrift/accept/aws_security_group.web-0123abcd",
			StateKey: "s3://acme-tf/prod", Address: "aws_security_group.web", Root: "envs/prod", Issue: 3,
			BaseSHA: "b1", HeadSHA: "h1", Fingerprints: []string{"fp1"}, Status: store.PullOpen}
		if err := st.PutPull(ctx, p); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		p.HeadSHA, p.Fingerprints = "h2", []string{"fp1", "fp2"}
		if err := st.PutPull(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := st.OpenPullFor(ctx, "acme/infra", "s3://acme-tf/prod", "aws_security_group.web")
		if err != nil {
			t.Fatal(err)
		}
		want := p
		want.Repo, want.CreatedAt, want.UpdatedAt = "acme/infra", clk.Now().Add(-time.Minute), clk.Now()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("OpenPullFor (-want +got):\n%s", diff)
		}
		if open, err := st.OpenPulls(ctx, "ACME/infra"); err != nil || len(open) != 1 {
			t.Errorf("OpenPulls = %+v, %v", open, err)
		}
		p.Status = store.PullMerged
		if err := st.PutPull(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := st.OpenPullFor(ctx, "acme/infra", "s3://acme-tf/prod", "aws_security_group.web"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("OpenPullFor after the merge: %v", err)
		}
		if got, err := st.GetPull(ctx, "acme/infra", 7); err != nil || got.Status != store.PullMerged {
			t.Errorf("GetPull = %+v, %v", got, err)
		}
		if _, err := st.GetPull(ctx, "acme/infra", 8); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetPull of an unknown pull: %v", err)
		}
		if err := st.PutPull(ctx, store.PullRecord{Repo: "a/b", Number: 1, Branch: "x", Address: "a.b", Status: "draft"}); err == nil {
			t.Error("an unknown status was accepted")
		}
	})
}

// TestListByResourceAddress: List finds the drifts of one address.
func TestListByResourceAddress(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := open(t, dsn, newClock())
		for _, d := range []*struct{ name, value string }{{"web", "a"}, {"web", "b"}, {"db", "a"}} {
			if _, _, err := st.RecordDrift(ctx, sampleDrift(d.name, d.value), nil); err != nil {
				t.Fatal(err)
			}
		}
		page, err := st.List(ctx, store.Filter{ResourceAddress: "aws_security_group.web"})
		if err != nil || len(page.Records) != 2 {
			t.Fatalf("List = %+v, %v; want the 2 drifts of web", page, err)
		}
		for _, r := range page.Records {
			if r.ResourceAddress != "aws_security_group.web" {
				t.Errorf("List returned %s", r.ResourceAddress)
			}
		}
	})
}
