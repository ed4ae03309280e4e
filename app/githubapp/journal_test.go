package githubapp

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tfdrift/tfdrift/app/ingest/spool"
)

// TestJournalReplaysAfterACrash: a delivery answered 202 is on disk
// before the answer; when the process dies before working it off, the
// next start replays it to the App, which runs it once.
func TestJournalReplaysAfterACrash(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	first, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, fixtureOptions{yml: tfdriftYML, noRun: true, journal: func(o *Options) { o.Journal = first.Wrap }})
	n, _ := f.trackedIssue("aws_instance.app_server")
	cm, d := f.comment("alice", n, "/tfdrift recheck")
	if d.Status != 202 {
		t.Fatalf("delivery: %d %s", d.Status, d.Response)
	}
	if st := first.Stats(); st.Appended != 1 {
		t.Fatalf("journal: %+v", st)
	}
	// The process dies: nothing ran, nothing was settled.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	a := f.newApp(fixtureOptions{journal: func(o *Options) { o.Journal = second.Wrap }})
	f.run(a)
	rec, err := second.Recover(context.Background(), spool.Consumers{JournalSource: a.Consumer()})
	if err != nil || rec.Replayed != 1 {
		t.Fatalf("recover: %+v, %v", rec, err)
	}
	waitUntil(t, "the replayed command", func() bool { return slices.Equal(f.reactions(cm.ID), []string{"eyes", "rocket"}) })
	if got := len(f.recon.commands()); got != 1 {
		t.Errorf("ran %d times", got)
	}
}
