package refresh

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

var testKeys = state.KeySpec{Default: []string{"id"}}

// stateJSON renders a state holding terraform_data resources x0..x(n-1),
// each with input set to input, the way Terraform stores them.
func stateJSON(serial int, input string, n int) []byte {
	var res []string
	for i := range n {
		res = append(res, fmt.Sprintf(`{"mode":"managed","type":"terraform_data","name":"x%d",`+
			`"provider":"provider[\"terraform.io/builtin/terraform\"]","instances":[{"schema_version":0,`+
			`"attributes":{"id":"id-%d","input":{"value":%q,"type":"string"},"output":{"value":%q,"type":"string"},`+
			`"triggers_replace":null},"sensitive_attributes":[]}]}`, i, i, input, input))
	}
	return fmt.Appendf(nil, `{"version":4,"terraform_version":"1.5.7","serial":%d,"lineage":"lin-1","outputs":{},"resources":[%s],"check_results":null}`,
		serial, strings.Join(res, ","))
}

// inputOf returns the input of the resource at address in the named
// source, or "" when the index has no such resource.
func inputOf(t testing.TB, ix *state.Index, sourceName, address string) string {
	t.Helper()
	r := ix.ByAddress(sourceName, address)
	if r == nil {
		return ""
	}
	attrs, err := r.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	switch v := attrs["input"].(type) {
	case map[string]any: // dynamic values: {"value": ..., "type": ...}
		s, _ := v["value"].(string)
		return s
	case string:
		return v
	}
	return ""
}

// serialOf returns the serial of the snapshot loaded for a source, or -1.
func serialOf(ix *state.Index, name, workspace string) int64 {
	for _, s := range ix.Sources() {
		if s.Name == name && s.Workspace == workspace {
			return s.Serial
		}
	}
	return -1
}

// waitFor waits for cond with a deadline (internal/eventually).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, what, cond)
}

// memBackend is a state object in memory whose version changes on every
// write.
type memBackend struct {
	src state.Source

	mu      sync.Mutex
	data    []byte
	version int
	err     error // returned by Fetch instead of the object
	// readErr, when set, fails memStream's body after cutAt bytes.
	readErr error
	cutAt   int
	fetches int
	// onFetch and afterFetch, when set, run at the start and the end of
	// every Fetch, outside mu.
	onFetch    func(ctx context.Context)
	afterFetch func()
}

var _ state.Backend = (*memBackend)(nil)

func newMem(name string, data []byte) *memBackend {
	return &memBackend{src: state.Source{Name: name, Workspace: state.DefaultWorkspace}, data: data, version: 1}
}

func (m *memBackend) Source() state.Source { return m.src }

func (m *memBackend) Fetch(ctx context.Context, ifVersion string) ([]byte, string, error) {
	m.mu.Lock()
	hook, after := m.onFetch, m.afterFetch
	m.mu.Unlock()
	if hook != nil {
		hook(ctx)
	}
	if after != nil {
		defer after()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fetches++
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if m.err != nil {
		return nil, "", m.err
	}
	v := "v" + strconv.Itoa(m.version)
	if v == ifVersion {
		return nil, v, state.ErrNotModified
	}
	return m.data, v, nil
}

// memStream is a memBackend that streams: Open is Fetch's bytes as a
// reader, cut with readErr after cutAt bytes when readErr is set.
type memStream struct{ *memBackend }

var _ state.StreamBackend = memStream{}

func (m memStream) Open(ctx context.Context, ifVersion string) (io.ReadCloser, string, error) {
	data, v, err := m.Fetch(ctx, ifVersion)
	if err != nil {
		return nil, v, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var r io.Reader = bytes.NewReader(data)
	if m.readErr != nil {
		r = io.MultiReader(io.LimitReader(r, int64(m.cutAt)), iotest.ErrReader(m.readErr))
	}
	return io.NopCloser(r), v, nil
}

func (m *memBackend) set(data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = data
	m.version++
}

func (m *memBackend) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

func (m *memBackend) fetchCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fetches
}

// alerts records OnError calls.
type alerts struct {
	mu   sync.Mutex
	list []string // "SOURCE[WORKSPACE]: ERROR"
}

func (a *alerts) onError(src state.Source, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, src.Name+"["+src.Workspace+"]: "+err.Error())
}

func (a *alerts) get() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.list...)
}

var clock = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// newTestRefresher builds a Refresher on a fresh index whose clock stands
// still, so statuses compare exactly.
func newTestRefresher(t testing.TB, backends []state.Backend, opts ...Option) (*Refresher, *state.Index, *alerts) {
	t.Helper()
	ix := state.NewIndex(testKeys)
	a := &alerts{}
	r, err := New(ix, backends, append([]Option{WithOnError(a.onError)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.opt.now = func() time.Time { return clock }
	return r, ix, a
}
