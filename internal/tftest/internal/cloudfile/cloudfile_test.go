package cloudfile

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type widget struct {
	ID    string   `json:"id"`
	Size  int      `json:"size"`
	Tags  []string `json:"tags"`
	Extra bool     `json:"extra,omitempty"`
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s := Open(filepath.Join(t.TempDir(), "cloud.json"))
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreOperations(t *testing.T) {
	tests := []struct {
		name    string
		do      func(*Store) error
		kind    string
		id      string
		want    map[string]any // nil: object absent
		wantErr string
	}{
		{
			name: "put then object",
			do:   func(s *Store) error { return s.Put("w", "a", widget{ID: "a", Size: 3, Tags: []string{"x"}}) },
			kind: "w", id: "a",
			want: map[string]any{"id": "a", "size": 3.0, "tags": []any{"x"}},
		},
		{
			name: "missing object",
			do:   func(*Store) error { return nil },
			kind: "w", id: "nope",
		},
		{
			name: "delete",
			do: func(s *Store) error {
				if err := s.Put("w", "a", widget{ID: "a"}); err != nil {
					return err
				}
				return s.Delete("w", "a")
			},
			kind: "w", id: "a",
		},
		{
			name: "delete missing is not an error",
			do:   func(s *Store) error { return s.Delete("w", "never") },
			kind: "w", id: "never",
		},
		{
			name: "mutate",
			do: func(s *Store) error {
				if err := s.Put("w", "a", widget{ID: "a", Size: 1}); err != nil {
					return err
				}
				return s.Mutate("w", "a", func(o map[string]any) error {
					o["size"] = 2
					o["tags"] = []string{"y", "z"}
					return nil
				})
			},
			kind: "w", id: "a",
			want: map[string]any{"id": "a", "size": 2.0, "tags": []any{"y", "z"}},
		},
		{
			name: "mutate missing",
			do:   func(s *Store) error { return s.Mutate("w", "gone", func(map[string]any) error { return nil }) },
			kind: "w", id: "gone",
			wantErr: `no w "gone"`,
		},
		{
			name: "mutate storing a non-JSON value",
			do: func(s *Store) error {
				if err := s.Put("w", "a", widget{ID: "a"}); err != nil {
					return err
				}
				return s.Mutate("w", "a", func(o map[string]any) error {
					o["ch"] = make(chan int)
					return nil
				})
			},
			kind: "w", id: "a",
			want:    map[string]any{"id": "a", "size": 0.0, "tags": nil},
			wantErr: "mutate w",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			err := tt.do(s)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			got, err := s.Object(tt.kind, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("object (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetDecodesIntoStruct(t *testing.T) {
	s := newStore(t)
	in := widget{ID: "a", Size: 7, Tags: []string{"p", "q"}, Extra: true}
	if err := s.Put("w", "a", in); err != nil {
		t.Fatal(err)
	}
	var out widget
	found, err := s.Get("w", "a", &out)
	if err != nil || !found {
		t.Fatalf("Get = %v, %v", found, err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("(-put +got):\n%s", diff)
	}
	found, err = s.Get("w", "b", &out)
	if err != nil || found {
		t.Errorf("Get missing = %v, %v; want false, nil", found, err)
	}
}

func TestReadFileStates(t *testing.T) {
	tests := []struct {
		name    string
		content *string // nil: no file
		wantErr string
	}{
		{name: "no file reads empty"},
		{name: "empty file reads empty", content: ptr("")},
		{name: "null reads empty", content: ptr("null")},
		{name: "corrupt file names the file", content: ptr("{"), wantErr: "cloud.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cloud.json")
			if tt.content != nil {
				if err := os.WriteFile(path, []byte(*tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			doc, err := Open(path).Snapshot()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(doc) != 0 {
				t.Errorf("doc = %v, want empty", doc)
			}
		})
	}
}

// TestConcurrentMutate shows the lock makes read-modify-write atomic:
// with separate Stores (separate descriptors, as separate processes have)
// no increment is lost.
func TestConcurrentMutate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.json")
	if err := Open(path).Put("counter", "c", map[string]any{"n": 0}); err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			s := Open(path)
			for range each {
				errs <- s.Mutate("counter", "c", func(o map[string]any) error {
					o["n"] = o["n"].(float64) + 1
					return nil
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	obj, err := Open(path).Object("counter", "c")
	if err != nil {
		t.Fatal(err)
	}
	if got := obj["n"]; got != float64(workers*each) {
		t.Errorf("n = %v, want %d", got, workers*each)
	}
}

func ptr(s string) *string { return &s }
