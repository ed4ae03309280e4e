package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// got is what a test pipeline saw of one message.
type got struct {
	Source, ID, Body string
	Received         time.Time
}

// pipeline stands in for the daemon's: it keeps every message it takes,
// with its Done, and can be told to refuse.
type pipeline struct {
	mu     sync.Mutex
	msgs   []ingest.Message
	refuse func(m ingest.Message) error
}

func (p *pipeline) handle(_ context.Context, m ingest.Message) error {
	if p.refuse != nil {
		if err := p.refuse(m); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	return nil
}

func (p *pipeline) taken() []ingest.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ingest.Message(nil), p.msgs...)
}

func summary(ms []ingest.Message) []got {
	var out []got
	for _, m := range ms {
		out = append(out, got{m.Source, m.ID, string(m.Body), m.Received})
	}
	return out
}

func openSpool(t *testing.T, dir string, opts ...Option) *Spool {
	t.Helper()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// crash stops s the way kill -9 would: whatever is still buffered is lost
// and nothing more is written; the lock is released as the kernel would.
func crash(t *testing.T, s *Spool) {
	t.Helper()
	s.mu.Lock()
	s.closed = true
	s.buf = nil
	s.batch.err = ErrClosed
	close(s.batch.done)
	s.batch = newBatch()
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.f.Close()
	unlockDir(s.lock)
}

// settle waits until every mark journaled so far is written.
func settle(t *testing.T, s *Spool) {
	t.Helper()
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
}

var t0 = time.Date(2025, 1, 20, 14, 0, 0, 0, time.UTC)

func msg(i int) ingest.Message {
	return ingest.Message{Source: "falco-http", ID: fmt.Sprintf("uuid-%03d", i),
		Body: []byte(fmt.Sprintf(`{"rule":"r","n":%d}`, i)), Received: t0.Add(time.Duration(i) * time.Second)}
}

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

// TestRecoverReplaysExactlyTheUnsettled drives every verdict a message can
// get, crashes, and checks that a restart redelivers exactly the messages
// that never got one, in arrival order, with their original fields.
func TestRecoverReplaysExactlyTheUnsettled(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir)
	p := &pipeline{refuse: func(m ingest.Message) error {
		if m.ID == "uuid-003" {
			return ingest.ErrOverloaded
		}
		return nil
	}}
	h := s.Wrap(p.handle)
	var innerDone []error
	for i := range 8 {
		m := msg(i)
		m.Done = func(err error) { innerDone = append(innerDone, err) }
		err := h(context.Background(), m)
		if i == 3 {
			if !errors.Is(err, ingest.ErrOverloaded) {
				t.Fatalf("message 3: err %v, want ErrOverloaded passed through", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	taken := p.taken()
	// Verdicts: 0 and 5 recorded, 2 failed; 1, 4, 6, 7 still in the queue.
	taken[0].Done(nil) // uuid-000
	taken[4].Done(nil) // uuid-005
	taken[2].Done(errors.New("store down"))
	if diff := cmp.Diff([]error{nil, nil, errors.New("store down")}, innerDone, cmp.Comparer(func(a, b error) bool {
		return fmt.Sprint(a) == fmt.Sprint(b)
	})); diff != "" {
		t.Errorf("the input's own Done must still be called (-want +got):\n%s", diff)
	}
	settle(t, s)
	want := Stats{Appended: 8, Done: 2, Refused: 1, Failed: 1, Unsettled: 4}
	if diff := cmp.Diff(want, s.Stats(), cmpStats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	crash(t, s)

	s2 := openSpool(t, dir)
	p2 := &pipeline{}
	n, err := recoverAll(s2, context.Background(), p2.handle)
	if err != nil {
		t.Fatal(err)
	}
	wantReplay := summary([]ingest.Message{msg(1), msg(4), msg(6), msg(7)})
	if diff := cmp.Diff(wantReplay, summary(p2.taken())); diff != "" || n != 4 {
		t.Fatalf("replayed %d (-want +got):\n%s", n, diff)
	}
	// Recover is once per Open.
	if n, err := recoverAll(s2, context.Background(), p2.handle); n != 0 || err != nil {
		t.Errorf("second Recover: %d, %v", n, err)
	}
	// Settle two of the replays, shut down cleanly: the other two come
	// back once more.
	replays := p2.taken()
	replays[0].Done(nil)
	replays[3].Done(nil)
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := openSpool(t, dir)
	p3 := &pipeline{}
	if _, err := recoverAll(s3, context.Background(), p3.handle); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(summary([]ingest.Message{msg(4), msg(6)}), summary(p3.taken())); diff != "" {
		t.Errorf("third start (-want +got):\n%s", diff)
	}
}

var cmpStats = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".Syncs", ".Segments", ".Bytes":
		return true
	}
	return false
}, cmp.Ignore())

// TestGiveUpAfterMaxDeliveries: a message that never gets a verdict (it
// crashes the daemon every time) is delivered MaxDeliveries times in all,
// then given up and reported.
func TestGiveUpAfterMaxDeliveries(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir)
	p := &pipeline{}
	if err := s.Wrap(p.handle)(context.Background(), msg(1)); err != nil {
		t.Fatal(err)
	}
	crash(t, s) // delivery 1, no verdict
	var gaveUp []GivenUp
	for start := 2; start <= 4; start++ {
		s := openSpool(t, dir, WithMaxDeliveries(3), WithOnGiveUp(func(g GivenUp) { gaveUp = append(gaveUp, g) }))
		n, err := recoverAll(s, context.Background(), (&pipeline{}).handle)
		if err != nil {
			t.Fatal(err)
		}
		wantN := map[int]int{2: 1, 3: 1, 4: 0}[start]
		if n != wantN {
			t.Errorf("start %d: replayed %d, want %d", start, n, wantN)
		}
		crash(t, s)
	}
	want := []GivenUp{{Seq: 1, Source: "falco-http", ID: "uuid-001", Received: msg(1).Received, Deliveries: 3}}
	if diff := cmp.Diff(want, gaveUp); diff != "" {
		t.Errorf("given up (-want +got):\n%s", diff)
	}
	s5 := openSpool(t, dir)
	if n, err := recoverAll(s5, context.Background(), (&pipeline{}).handle); n != 0 || err != nil {
		t.Errorf("after giving up: replayed %d, %v", n, err)
	}
}

// TestRecoverWaitsForAnOverloadedPipeline: replayed messages have no
// client to answer 503 to, so Recover retries until the pipeline takes
// them, in order.
func TestRecoverWaitsForAnOverloadedPipeline(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir)
	h := s.Wrap((&pipeline{}).handle)
	for i := range 3 {
		if err := h(context.Background(), msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	crash(t, s)
	s2 := openSpool(t, dir)
	refusals := 0
	p := &pipeline{}
	p.refuse = func(ingest.Message) error {
		if refusals < 5 {
			refusals++
			return ingest.ErrOverloaded
		}
		return nil
	}
	n, err := recoverAll(s2, context.Background(), p.handle)
	if err != nil || n != 3 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	if diff := cmp.Diff(summary([]ingest.Message{msg(0), msg(1), msg(2)}), summary(p.taken())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if st := s2.Stats(); st.Refused != 0 || st.Replayed != 3 {
		t.Errorf("a retried redelivery is not a refusal: %+v", st)
	}

	// A pipeline that is shutting down for good: Recover gives up when
	// its context ends, and the messages stay for the next start.
	crash(t, s2)
	s3 := openSpool(t, dir, WithMaxDeliveries(10))
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err = recoverAll(s3, ctx, func(context.Context, ingest.Message) error {
		if calls++; calls == 3 {
			cancel()
		}
		return ingest.ErrOverloaded
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	crash(t, s3)
	s4 := openSpool(t, dir, WithMaxDeliveries(10))
	p4 := &pipeline{}
	if n, err := recoverAll(s4, context.Background(), p4.handle); n != 3 || err != nil {
		t.Errorf("after a cancelled recovery: replayed %d, %v", n, err)
	}
}

// TestTornTail: the shapes a crash can leave at the end of the newest
// segment are cut off, and every complete entry before them is replayed.
func TestTornTail(t *testing.T) {
	lastFrame := func(t *testing.T, data []byte) int {
		t.Helper()
		rd := newSegmentReader("x", strings.NewReader(string(data)), int64(len(data)), false)
		if err := rd.header(); err != nil {
			t.Fatal(err)
		}
		last := -1
		for {
			fr, err := rd.next()
			if err != nil {
				break
			}
			last = int(fr.off)
		}
		return last
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, data []byte) []byte
		// replayed is how many of the 3 entries survive.
		replayed int
	}{
		{"short write inside the last frame", func(t *testing.T, d []byte) []byte { return d[:len(d)-5] }, 2},
		{"short write inside a frame header", func(t *testing.T, d []byte) []byte {
			return append(d, appendMark(nil, 9, markDone)[:5]...)
		}, 3},
		{"checksum mismatch on the last frame", func(t *testing.T, d []byte) []byte {
			d[len(d)-1] ^= 0xff
			return d
		}, 2},
		{"zero-filled tail after a power cut", func(t *testing.T, d []byte) []byte {
			return append(d, make([]byte, 4096)...)
		}, 3},
		{"zeros over the last frame", func(t *testing.T, d []byte) []byte {
			off := lastFrame(t, d)
			clear(d[off:])
			return d
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSpool(t, dir)
			h := s.Wrap((&pipeline{}).handle)
			for i := range 3 {
				if err := h(context.Background(), msg(i)); err != nil {
					t.Fatal(err)
				}
			}
			crash(t, s)
			files := segmentFiles(t, dir)
			newest := files[len(files)-1]
			data, err := os.ReadFile(newest)
			if err != nil {
				t.Fatal(err)
			}
			damaged := tt.damage(t, data)
			if err := os.WriteFile(newest, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			s2 := openSpool(t, dir)
			p := &pipeline{}
			n, err := recoverAll(s2, context.Background(), p.handle)
			if err != nil {
				t.Fatal(err)
			}
			var want []ingest.Message
			for i := range tt.replayed {
				want = append(want, msg(i))
			}
			if diff := cmp.Diff(summary(want), summary(p.taken())); diff != "" || n != tt.replayed {
				t.Errorf("replayed %d (-want +got):\n%s", n, diff)
			}
			fi, err := os.Stat(newest)
			if err != nil {
				t.Fatal(err)
			}
			if torn := s2.Stats().TornBytes; torn <= 0 || fi.Size() != int64(len(damaged))-torn {
				t.Errorf("torn bytes %d, file now %d bytes of %d", torn, fi.Size(), len(damaged))
			}
		})
	}
}

// TestTornSegmentHeader: a crash right after creating a segment leaves a
// file holding part of its header; it is removed.
func TestTornSegmentHeader(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir)
	if err := s.Wrap((&pipeline{}).handle)(context.Background(), msg(0)); err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	torn := filepath.Join(dir, segmentName(99))
	if err := os.WriteFile(torn, []byte(segmentMagic[:3]), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := openSpool(t, dir)
	p := &pipeline{}
	if n, err := recoverAll(s2, context.Background(), p.handle); n != 1 || err != nil {
		t.Fatalf("replayed %d, %v", n, err)
	}
	if _, err := os.Stat(torn); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("torn segment still there: %v", err)
	}
}

// TestDamageIsSkipped is issue 14's finding 9: damage a crash cannot
// produce (a flipped byte in the middle, a bad length, a cut older
// segment, a bad header) once stopped Open, and so the daemon, for good.
// Now Open skips the damaged stretch, names its segment and offset
// (Damaged, counted in Stats), and every intact entry around it, before
// and after, is replayed.
func TestDamageIsSkipped(t *testing.T) {
	firstFrame := int64(len(segmentMagic))
	tests := []struct {
		name string
		// damage edits the segment at index seg (0 = oldest of two).
		seg    int
		damage func(d []byte) []byte
		offset int64
		reason string
		// lost are the messages (0..5) whose entries the damage took.
		lost []int
	}{
		{"a flipped byte in the middle of a segment", 1, func(d []byte) []byte { d[firstFrame+12] ^= 0x01; return d }, firstFrame, "checksum mismatch", []int{3}},
		{"a flipped byte in the middle of the newest segment's middle frame", 1, nil, -1, "checksum mismatch", []int{4}},
		{"bad length in the middle", 1, func(d []byte) []byte { d[firstFrame+3] = 0x7f; return d }, firstFrame, "frame length", []int{3}},
		{"torn-looking end of an older segment", 0, func(d []byte) []byte { return d[:len(d)-3] }, -1, "runs past the end", []int{2}},
		{"bad header", 0, func(d []byte) []byte { copy(d, "NOTSPOOL"); return d }, 0, "not a tfdrift spool segment", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// Two runs, so there are two segments with three entries each.
			var frameSize int64
			for run := range 2 {
				s := openSpool(t, dir)
				h := s.Wrap((&pipeline{}).handle)
				for i := range 3 {
					if err := h(context.Background(), msg(run*3+i)); err != nil {
						t.Fatal(err)
					}
				}
				frameSize = s.cur.size - firstFrame
				crash(t, s)
			}
			frameSize /= 3 // the entries are the same size
			files := segmentFiles(t, dir)
			if len(files) != 2 {
				t.Fatalf("segments %v", files)
			}
			path := files[tt.seg]
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			damage := tt.damage
			if damage == nil { // the middle frame, past its header
				damage = func(d []byte) []byte { d[firstFrame+frameSize+frameHeader+5] ^= 0x40; return d }
				tt.offset = firstFrame + frameSize
			}
			if err := os.WriteFile(path, damage(data), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err != nil {
				t.Fatalf("Open with a damaged segment: %v", err)
			}
			defer s.Close()
			d := s.Damaged()
			if len(d) != 1 || d[0].Segment != path || (tt.offset >= 0 && d[0].Offset != tt.offset) || !strings.Contains(d[0].Reason, tt.reason) || d[0].Bytes <= 0 {
				t.Fatalf("damage %+v, want one in %s at offset %d, %q", d, path, tt.offset, tt.reason)
			}
			if !strings.Contains(d[0].Error(), path) || !strings.Contains(d[0].Error(), fmt.Sprintf("offset %d", d[0].Offset)) {
				t.Errorf("message %q must name the segment and offset", d[0].Error())
			}
			if st := s.Stats(); st.Damaged != 1 || st.DamagedBytes != d[0].Bytes {
				t.Errorf("stats: %d damaged, %d bytes; want 1, %d", st.Damaged, st.DamagedBytes, d[0].Bytes)
			}
			p := &pipeline{}
			rec, err := s.Recover(context.Background(), Consumers{"falco-http": p.handle})
			if err != nil {
				t.Fatal(err)
			}
			var want []got
			for i := range 6 {
				if !slices.Contains(tt.lost, i) {
					want = append(want, summary([]ingest.Message{msg(i)})...)
				}
			}
			if diff := cmp.Diff(want, summary(p.taken())); diff != "" {
				t.Errorf("replayed (-want +got):\n%s", diff)
			}
			if rec.Replayed != len(want) {
				t.Errorf("Replayed %d, want %d", rec.Replayed, len(want))
			}
		})
	}
}

// TestRotationAndCleanup: small segments rotate; a segment goes once all
// its entries are settled, and not while an older one it settles for
// still holds an unsettled entry.
func TestRotationAndCleanup(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, WithSegmentBytes(512))
	p := &pipeline{}
	h := s.Wrap(p.handle)
	for i := range 40 {
		if err := h(context.Background(), msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, s)
	created := len(segmentFiles(t, dir))
	if created < 5 {
		t.Fatalf("%d segments after 40 entries of ~60 bytes in 512-byte segments: no rotation", created)
	}
	taken := p.taken()
	// Settle all but the first entry: its segment stays, later ones go.
	for _, m := range taken[1:] {
		m.Done(nil)
	}
	settle(t, s)
	files := segmentFiles(t, dir)
	if len(files) >= created || files[0] != filepath.Join(dir, segmentName(1)) {
		t.Errorf("segments after settling all but the first entry: %v (created %d)", files, created)
	}
	if st := s.Stats(); st.Segments != int64(len(files)) || st.Unsettled != 1 {
		t.Errorf("stats %+v, files %d", st, len(files))
	}
	taken[0].Done(nil)
	settle(t, s)
	if files := segmentFiles(t, dir); len(files) != 1 {
		t.Errorf("everything settled, yet segments %v", files)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openSpool(t, dir, WithSegmentBytes(512))
	if n, err := recoverAll(s2, context.Background(), p.handle); n != 0 || err != nil {
		t.Errorf("replayed %d, %v", n, err)
	}
	if files := segmentFiles(t, dir); len(files) != 1 {
		t.Errorf("after reopen: %v", files)
	}
}

// TestPinnedSegmentSurvivesRestart: marks in a later segment settle
// entries of an older one that is still pinned; the later segment must
// outlive it, or the settled entries would come back.
func TestPinnedSegmentSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, WithSegmentBytes(256))
	p := &pipeline{}
	h := s.Wrap(p.handle)
	for i := range 6 {
		if err := h(context.Background(), msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Settle entries 1..5: their marks land in a later segment K. Then
	// rotate past K and settle everything else, so that K's own entries
	// are all settled and only its marks for the first segment keep it.
	taken := p.taken()
	for _, m := range taken[1:] {
		m.Done(nil)
	}
	settle(t, s)
	for i := 6; i < 30; i++ {
		if err := h(context.Background(), msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range p.taken()[6:] {
		m.Done(nil)
	}
	settle(t, s)
	crash(t, s)
	s2 := openSpool(t, dir, WithSegmentBytes(256))
	p2 := &pipeline{}
	if _, err := recoverAll(s2, context.Background(), p2.handle); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(summary([]ingest.Message{msg(0)}), summary(p2.taken())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestConcurrentAppends runs writers in parallel (run with -race) with
// verdicts arriving from other goroutines, crashes, and checks that the
// restart replays exactly the messages without a verdict, each writer's
// in its order.
func TestConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, WithSegmentBytes(16<<10))
	const writers, each = 8, 150
	verdicts := make(chan ingest.Message, writers*each)
	var workers sync.WaitGroup
	for range 2 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for m := range verdicts {
				m.Done(nil)
			}
		}()
	}
	var unsettled sync.Map
	h := s.Wrap(func(_ context.Context, m ingest.Message) error {
		var w, i int
		fmt.Sscanf(m.ID, "w%d-%d", &w, &i)
		if i%3 == 0 {
			unsettled.Store(m.ID, true)
			return nil
		}
		verdicts <- m
		return nil
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m := ingest.Message{Source: "falco-http", ID: fmt.Sprintf("w%d-%03d", w, i), Body: []byte(`{}`), Received: t0}
				if err := h(context.Background(), m); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(verdicts)
	workers.Wait()
	settle(t, s)
	st := s.Stats()
	if st.Appended != writers*each || st.Done != writers*each*2/3 || st.Syncs == 0 || st.Syncs > st.Appended+st.Done {
		t.Errorf("stats %+v", st)
	}
	crash(t, s)

	s2 := openSpool(t, dir, WithSegmentBytes(16<<10))
	p := &pipeline{}
	if _, err := recoverAll(s2, context.Background(), p.handle); err != nil {
		t.Fatal(err)
	}
	var gotIDs, wantIDs []string
	last := map[string]int{}
	for _, m := range p.taken() {
		gotIDs = append(gotIDs, m.ID)
		var w, i int
		fmt.Sscanf(m.ID, "w%d-%d", &w, &i)
		key := fmt.Sprint(w)
		if prev, ok := last[key]; ok && prev > i {
			t.Errorf("writer %d: %d replayed after %d", w, i, prev)
		}
		last[key] = i
	}
	unsettled.Range(func(k, _ any) bool { wantIDs = append(wantIDs, k.(string)); return true })
	sort.Strings(gotIDs)
	sort.Strings(wantIDs)
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
		t.Errorf("replayed (-want +got):\n%s", diff)
	}
}

func TestRefusals(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		s := openSpool(t, t.TempDir())
		called := false
		h := s.Wrap(func(context.Context, ingest.Message) error { called = true; return nil })
		err := h(context.Background(), ingest.Message{Source: "falco-http", Body: make([]byte, MaxRecordBytes)})
		if !errors.Is(err, ErrTooLarge) || called {
			t.Errorf("err %v, next called %v", err, called)
		}
	})
	t.Run("closed", func(t *testing.T) {
		s := openSpool(t, t.TempDir())
		h := s.Wrap((&pipeline{}).handle)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := h(context.Background(), msg(0)); !errors.Is(err, ErrClosed) {
			t.Errorf("err %v, want ErrClosed", err)
		}
	})
	t.Run("second process", func(t *testing.T) {
		dir := t.TempDir()
		openSpool(t, dir)
		if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "in use by another process") {
			t.Errorf("second Open: %v", err)
		}
	})
	t.Run("write failure stops the spool", func(t *testing.T) {
		s := openSpool(t, t.TempDir())
		h := s.Wrap((&pipeline{}).handle)
		s.f.Close() // the disk goes away under the committer
		err := h(context.Background(), msg(0))
		if err == nil || !strings.Contains(err.Error(), "spool: writing") {
			t.Fatalf("err %v", err)
		}
		if s.Err() == nil {
			t.Error("Err() is nil after a failed write")
		}
		if err2 := h(context.Background(), msg(1)); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("next append: %v, want the sticky %v", err2, err)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		for _, opt := range []Option{WithSegmentBytes(4), WithMaxDeliveries(0)} {
			if _, err := Open(t.TempDir(), opt); err == nil {
				t.Error("Open accepted a bad option")
			}
		}
		if _, err := Open(""); err == nil {
			t.Error("Open accepted an empty directory")
		}
	})
}

// TestReceivedIsStamped: a message without a receive time gets one before
// it is journaled, so its replay carries when it really arrived.
func TestReceivedIsStamped(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir)
	before := time.Now()
	m := msg(0)
	m.Received = time.Time{}
	if err := s.Wrap((&pipeline{}).handle)(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	crash(t, s)
	s2 := openSpool(t, dir)
	p := &pipeline{}
	if _, err := recoverAll(s2, context.Background(), p.handle); err != nil {
		t.Fatal(err)
	}
	if r := p.taken()[0].Received; r.Before(before) || r.After(time.Now()) {
		t.Errorf("received %v, want about %v", r, before)
	}
}

// recoverAll replays every journaled message into h: the tests' messages
// all come from one source.
func recoverAll(s *Spool, ctx context.Context, h ingest.Handler) (int, error) {
	rec, err := s.Recover(ctx, Consumers{"falco-http": h})
	return rec.Replayed, err
}
