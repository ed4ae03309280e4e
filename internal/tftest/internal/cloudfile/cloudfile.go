package cloudfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Doc is the whole file: kind → id → object. Objects use the resource's
// Terraform attribute names as keys.
type Doc map[string]map[string]map[string]any

// Store reads and writes one cloud file.
type Store struct {
	path string
}

// Open returns a Store for path. The file need not exist yet: a missing
// file reads as an empty cloud.
func Open(path string) *Store { return &Store{path: path} }

// Path is the cloud file's path.
func (s *Store) Path() string { return s.path }

// Init writes an empty cloud, replacing whatever the file held.
func (s *Store) Init() error {
	return s.update(func(d Doc) error {
		clear(d)
		return nil
	})
}

// Get decodes object kind/id into out (a pointer, decoded as by
// encoding/json). It reports false when there is no such object.
func (s *Store) Get(kind, id string, out any) (bool, error) {
	var obj map[string]any
	err := s.view(func(d Doc) error {
		obj = d[kind][id]
		return nil
	})
	if err != nil || obj == nil {
		return false, err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return false, fmt.Errorf("cloud %s: %s %s: %w", s.path, kind, id, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("cloud %s: decode %s %s: %w", s.path, kind, id, err)
	}
	return true, nil
}

// Object returns object kind/id as generic JSON values (numbers are
// float64), or nil when there is no such object.
func (s *Store) Object(kind, id string) (map[string]any, error) {
	var obj map[string]any
	err := s.view(func(d Doc) error {
		obj = d[kind][id]
		return nil
	})
	return obj, err
}

// Put stores v (any value that encodes to a JSON object) as kind/id,
// replacing the previous object.
func (s *Store) Put(kind, id string, v any) error {
	obj, err := toObject(v)
	if err != nil {
		return fmt.Errorf("cloud %s: %s %s: %w", s.path, kind, id, err)
	}
	return s.update(func(d Doc) error {
		if d[kind] == nil {
			d[kind] = map[string]map[string]any{}
		}
		d[kind][id] = obj
		return nil
	})
}

// Delete removes kind/id. Deleting a missing object is not an error, as
// with most cloud APIs' idempotent deletes.
func (s *Store) Delete(kind, id string) error {
	return s.update(func(d Doc) error {
		delete(d[kind], id)
		if len(d[kind]) == 0 {
			delete(d, kind)
		}
		return nil
	})
}

// Mutate applies fn to object kind/id under one exclusive lock, so a
// read-modify-write cannot interleave with the provider's own writes.
// It fails when the object does not exist.
func (s *Store) Mutate(kind, id string, fn func(obj map[string]any) error) error {
	return s.update(func(d Doc) error {
		obj := d[kind][id]
		if obj == nil {
			return fmt.Errorf("cloud %s: no %s %q", s.path, kind, id)
		}
		if err := fn(obj); err != nil {
			return fmt.Errorf("cloud %s: mutate %s %q: %w", s.path, kind, id, err)
		}
		// Round-trip so that values fn stored (ints, typed slices) are
		// validated as JSON now rather than when the file is written.
		norm, err := toObject(obj)
		if err != nil {
			return fmt.Errorf("cloud %s: mutate %s %q: %w", s.path, kind, id, err)
		}
		d[kind][id] = norm
		return nil
	})
}

// Snapshot returns the whole document.
func (s *Store) Snapshot() (Doc, error) {
	var out Doc
	err := s.view(func(d Doc) error {
		out = d
		return nil
	})
	return out, err
}

func toObject(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("object is null")
	}
	return obj, nil
}

func (s *Store) view(fn func(Doc) error) error {
	unlock, err := s.lock(syscall.LOCK_SH)
	if err != nil {
		return err
	}
	defer unlock()
	d, err := s.read()
	if err != nil {
		return err
	}
	return fn(d)
}

func (s *Store) update(fn func(Doc) error) error {
	unlock, err := s.lock(syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	d, err := s.read()
	if err != nil {
		return err
	}
	if err := fn(d); err != nil {
		return err
	}
	return s.write(d)
}

// lock takes an flock on path+".lock" rather than on the data file itself,
// because the data file is replaced by rename and a lock on the old inode
// would not exclude a process that opened the new one.
func (s *Store) lock(how int) (func(), error) {
	f, err := os.OpenFile(s.path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cloud %s: lock: %w", s.path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cloud %s: lock: %w", s.path, err)
	}
	// Closing the descriptor releases the flock.
	return func() { f.Close() }, nil
}

func (s *Store) read() (Doc, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Doc{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cloud %s: %w", s.path, err)
	}
	d := Doc{}
	if len(b) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("cloud %s: %w", s.path, err)
	}
	if d == nil {
		d = Doc{}
	}
	return d, nil
}

func (s *Store) write(d Doc) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("cloud %s: encode: %w", s.path, err)
	}
	b = append(b, '\n')
	tmp, err := os.CreateTemp(filepath.Dir(s.path), filepath.Base(s.path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cloud %s: %w", s.path, err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cloud %s: write: %w", s.path, err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cloud %s: %w", s.path, err)
	}
	return nil
}
