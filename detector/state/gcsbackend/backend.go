package gcsbackend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/tfdrift/tfdrift/detector/state"
)

// stateSuffix ends every state object's name; Terraform's lock objects
// (.tflock) live next to them.
const stateSuffix = ".tfstate"

// Config describes a Terraform gcs backend, in the terms of its backend
// block.
type Config struct {
	Bucket string
	// Prefix is the "directory" holding <workspace>.tfstate objects; ""
	// means the bucket's top level.
	Prefix string
	// Workspace is the Terraform workspace; "" means "default".
	Workspace string
	// Endpoint overrides the Cloud Storage JSON API endpoint, like
	// Terraform's storage_custom_endpoint: "http://127.0.0.1:4443/storage/v1/".
	Endpoint string
	// WithoutAuth sends no credentials: for emulators and tests only.
	WithoutAuth bool
	// ClientOptions are passed to the client after the options above
	// (credentials files, impersonation, an HTTP client).
	ClientOptions []option.ClientOption
	// Client, when set, is used instead of creating one, and Endpoint,
	// WithoutAuth and ClientOptions are ignored. Sharing one client among
	// many backends is what Cloud Storage recommends. Create it with
	// storage.WithJSONReads when it talks to a custom endpoint. Close does
	// not close a client passed in.
	Client *storage.Client

	// Source labels the snapshots. An empty Name becomes "gs://BUCKET/PREFIX";
	// Workspace is always set from the backend's workspace.
	Source state.Source
}

// Backend reads one workspace's state object. It is safe for concurrent
// use.
type Backend struct {
	client *storage.Client // shared with the backends ForWorkspace returns
	owned  bool            // New created client, so Close closes it
	bucket string
	prefix string // "" or ending in "/"
	object string
	src    state.Source
}

var _ state.Backend = (*Backend)(nil)

// New returns a backend for the state objects cfg names. It does not read
// anything yet, so a bucket that is down does not stop tfdrift starting;
// it fails only when the client cannot be created (no credentials found).
func New(ctx context.Context, cfg Config) (*Backend, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("gcs state: bucket is required")
	}
	if cfg.Workspace != "" {
		if err := validWorkspace(cfg.Workspace); err != nil {
			return nil, fmt.Errorf("gcs state gs://%s/%s: %w", cfg.Bucket, cfg.Prefix, err)
		}
	}
	b := &Backend{
		client: cfg.Client,
		bucket: cfg.Bucket,
		prefix: normalizePrefix(cfg.Prefix),
		src:    cfg.Source,
	}
	if b.client == nil {
		opts := []option.ClientOption{storage.WithJSONReads()}
		if cfg.Endpoint != "" {
			opts = append(opts, option.WithEndpoint(cfg.Endpoint))
		}
		if cfg.WithoutAuth {
			opts = append(opts, option.WithoutAuthentication())
		}
		opts = append(opts, cfg.ClientOptions...)
		client, err := storage.NewClient(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("gcs state gs://%s/%s: %w", cfg.Bucket, b.prefix, err)
		}
		b.client, b.owned = client, true
	}
	if b.src.Name == "" {
		b.src.Name = strings.TrimSuffix("gs://"+cfg.Bucket+"/"+b.prefix, "/")
	}
	return b.ForWorkspace(cfg.Workspace), nil
}

// normalizePrefix makes the prefix a directory the way Terraform does:
// no leading slash, one trailing slash unless empty.
func normalizePrefix(p string) string {
	p = strings.TrimLeft(p, "/")
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func validWorkspace(ws string) error {
	if ws == "" || strings.Contains(ws, "/") {
		return fmt.Errorf("invalid workspace name %q", ws)
	}
	return nil
}

// Close releases the client New created. Backends returned by ForWorkspace
// share it: close the one New returned, once, after all are done.
func (b *Backend) Close() error {
	if !b.owned {
		return nil
	}
	return b.client.Close()
}

// ForWorkspace returns a backend for another workspace under the same
// prefix, sharing the client. "" means "default". Names containing "/"
// cannot be workspaces; Fetch on such a backend fails.
func (b *Backend) ForWorkspace(ws string) *Backend {
	if ws == "" {
		ws = state.DefaultWorkspace
	}
	nb := *b
	nb.owned = false
	nb.src.Workspace = ws
	nb.object = b.prefix + ws + stateSuffix
	return &nb
}

// Source implements state.Backend.
func (b *Backend) Source() state.Source { return b.src }

// URL returns the object's address, gs://BUCKET/OBJECT.
func (b *Backend) URL() string { return "gs://" + b.bucket + "/" + b.object }

// fetchAttempts bounds how often Fetch starts over when the generation it
// saw was replaced before it could read it.
const fetchAttempts = 3

// Fetch implements state.Backend. The version is the object's generation.
func (b *Backend) Fetch(ctx context.Context, ifVersion string) ([]byte, string, error) {
	if err := validWorkspace(b.src.Workspace); err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
	}
	obj := b.client.Bucket(b.bucket).Object(b.object)
	for attempt := 1; ; attempt++ {
		attrs, err := obj.Attrs(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
		}
		version := strconv.FormatInt(attrs.Generation, 10)
		if version == ifVersion {
			return nil, version, state.ErrNotModified
		}
		data, err := read(ctx, obj.Generation(attrs.Generation), attrs.Size)
		// In a bucket without object versioning, a write between Attrs and
		// the read deletes the generation we asked for: look again.
		if errors.Is(err, storage.ErrObjectNotExist) && attempt < fetchAttempts {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s generation %s: %w", b.URL(), version, err)
		}
		return data, version, nil
	}
}

var _ state.StreamBackend = (*Backend)(nil)

// Open implements state.StreamBackend: Fetch, returning the generation's
// reader instead of its bytes.
func (b *Backend) Open(ctx context.Context, ifVersion string) (io.ReadCloser, string, error) {
	if err := validWorkspace(b.src.Workspace); err != nil {
		return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
	}
	obj := b.client.Bucket(b.bucket).Object(b.object)
	for attempt := 1; ; attempt++ {
		attrs, err := obj.Attrs(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", b.URL(), err)
		}
		version := strconv.FormatInt(attrs.Generation, 10)
		if version == ifVersion {
			return nil, version, state.ErrNotModified
		}
		r, err := obj.Generation(attrs.Generation).NewReader(ctx)
		// In a bucket without object versioning, a write between Attrs and
		// the read deletes the generation we asked for: look again.
		if errors.Is(err, storage.ErrObjectNotExist) && attempt < fetchAttempts {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("%s generation %s: %w", b.URL(), version, err)
		}
		return &namedReader{r: r, name: b.URL() + " generation " + version}, version, nil
	}
}

// namedReader puts the object's name before its read errors.
type namedReader struct {
	r    io.ReadCloser
	name string
}

func (r *namedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: %w", r.name, err)
	}
	return n, err
}

func (r *namedReader) Close() error { return r.r.Close() }

func read(ctx context.Context, obj *storage.ObjectHandle, size int64) ([]byte, error) {
	r, err := obj.NewReader(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Sized up front: state objects run to hundreds of megabytes. The +1
	// lets ReadFrom see EOF without growing the buffer.
	var buf bytes.Buffer
	buf.Grow(int(max(size, 0)) + 1)
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Workspaces lists the workspaces that have a state object under the
// prefix: "default" first when it has one, then the others sorted.
//
// Unlike `terraform workspace list`, which always shows "default", a
// default workspace without a state object is left out: a source that can
// never load would keep tfdrift from ever being ready.
func (b *Backend) Workspaces(ctx context.Context) ([]string, error) {
	q := &storage.Query{Prefix: b.prefix, Delimiter: "/"}
	if err := q.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, fmt.Errorf("gs://%s/%s: workspaces: %w", b.bucket, b.prefix, err)
	}
	var out []string
	hasDefault := false
	it := b.client.Bucket(b.bucket).Objects(ctx, q)
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gs://%s/%s: workspaces: %w", b.bucket, b.prefix, err)
		}
		ws, ok := b.workspaceOf(attrs.Name)
		switch {
		case !ok:
		case ws == state.DefaultWorkspace:
			hasDefault = true
		default:
			out = append(out, ws)
		}
	}
	slices.Sort(out)
	if hasDefault {
		out = slices.Insert(out, 0, state.DefaultWorkspace)
	}
	return out, nil
}

// workspaceOf returns the workspace whose state object is name, if it is
// one: PREFIX<ws>.tfstate with no further "/" (those are other
// configurations' prefixes).
func (b *Backend) workspaceOf(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, b.prefix)
	if !ok {
		return "", false
	}
	ws, ok := strings.CutSuffix(rest, stateSuffix)
	if !ok || validWorkspace(ws) != nil {
		return "", false
	}
	return ws, true
}
