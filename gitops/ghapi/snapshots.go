package ghapi

import (
	"container/list"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
)

// SnapshotOptions configure a SnapshotCache.
type SnapshotOptions struct {
	// Dir holds the extracted trees; it is created (0700) if missing.
	// Entries named snap-* left by an earlier process are removed.
	Dir string
	// MaxEntries is how many snapshots are kept; default 16.
	MaxEntries int
	// MaxBytes bounds the extracted bytes kept; default 4 GiB.
	MaxBytes int64
	// Limits cap one tarball; zero fields take DefaultExtractLimits.
	Limits ExtractLimits
}

// SnapshotCache keeps repository trees at commits, downloaded with the
// tarball endpoint (no git binary) and extracted safely, least recently
// used out first. A SHA never changes, so neither does its snapshot;
// a push gives a new SHA and so a new snapshot. Concurrent requests for
// one snapshot download it once.
type SnapshotCache struct {
	opts SnapshotOptions

	mu      sync.Mutex
	entries map[string]*snapEntry
	lru     *list.List // of *snapEntry, most recent first
	bytes   int64
	loading map[string]*loadCall
}

type snapEntry struct {
	key     string
	snap    snapData
	refs    int
	evicted bool
	elem    *list.Element
}

type loadCall struct {
	done chan struct{}
	err  error
}

// snapData is what a snapshot is, without its holder's state.
type snapData struct {
	Owner, Repo, SHA, Dir string
	Stats                 ExtractStats
}

// Snapshot is a repository's tree at a commit, extracted under Dir. It
// stays on disk until Release, even if the cache evicts it meanwhile.
type Snapshot struct {
	Owner, Repo, SHA string
	Dir              string
	Stats            ExtractStats

	cache   *SnapshotCache
	entry   *snapEntry
	release sync.Once
}

// Release tells the cache the holder is done with the snapshot.
func (s *Snapshot) Release() {
	if s.cache != nil {
		s.release.Do(func() { s.cache.release(s.entry) })
	}
}

// NewSnapshotCache prepares Dir.
func NewSnapshotCache(opts SnapshotOptions) (*SnapshotCache, error) {
	if opts.Dir == "" {
		return nil, errors.New("snapshot cache: no directory")
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 16
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 30
	}
	opts.Limits = opts.Limits.withDefaults()
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot cache: %w", err)
	}
	old, err := os.ReadDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot cache: %w", err)
	}
	for _, e := range old {
		// Only what this cache writes: Dir may be shared or mistyped.
		if strings.HasPrefix(e.Name(), "snap-") {
			if err := os.RemoveAll(filepath.Join(opts.Dir, e.Name())); err != nil {
				return nil, fmt.Errorf("snapshot cache: removing a stale snapshot: %w", err)
			}
		}
	}
	return &SnapshotCache{opts: opts, entries: map[string]*snapEntry{}, lru: list.New(), loading: map[string]*loadCall{}}, nil
}

// Len is how many snapshots the cache holds.
func (c *SnapshotCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Get returns the tree of owner/repo at sha (a full commit SHA, never a
// branch: a branch moves), downloading it through client on a miss. The
// caller must Release it.
func (c *SnapshotCache) Get(ctx context.Context, client *Client, owner, repo, sha string) (*Snapshot, error) {
	what := fmt.Sprintf("snapshot %s/%s@%s", owner, repo, sha)
	if !commitSHARe.MatchString(sha) {
		return nil, fmt.Errorf("%s: want a full commit SHA", what)
	}
	if owner == "" || repo == "" || strings.ContainsAny(owner+repo, "/\\\x00") {
		return nil, fmt.Errorf("%s: bad repository name", what)
	}
	key := strings.ToLower(owner+"/"+repo) + "@" + sha
	for {
		c.mu.Lock()
		if e, ok := c.entries[key]; ok {
			e.refs++
			c.lru.MoveToFront(e.elem)
			c.mu.Unlock()
			return c.handle(e), nil
		}
		if call, ok := c.loading[key]; ok {
			c.mu.Unlock()
			select {
			case <-call.done:
				// The loader's own context ending is not this caller's
				// failure: try again (and load it ourselves).
				if call.err != nil && !(isContextErr(call.err) && ctx.Err() == nil) {
					return nil, call.err
				}
				continue // now cached (unless already evicted: then load again)
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		call := &loadCall{done: make(chan struct{})}
		c.loading[key] = call
		c.mu.Unlock()

		snap, err := c.load(ctx, client, owner, repo, sha, what)
		c.mu.Lock()
		delete(c.loading, key)
		call.err = err
		close(call.done)
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		e := &snapEntry{key: key, snap: snap, refs: 1}
		e.elem = c.lru.PushFront(e)
		c.entries[key] = e
		c.bytes += snap.Stats.Bytes
		victims := c.evictLocked()
		c.mu.Unlock()
		removeDirs(victims)
		return c.handle(e), nil
	}
}

func (c *SnapshotCache) handle(e *snapEntry) *Snapshot {
	return &Snapshot{Owner: e.snap.Owner, Repo: e.snap.Repo, SHA: e.snap.SHA, Dir: e.snap.Dir, Stats: e.snap.Stats, cache: c, entry: e}
}

// evictLocked drops least recently used snapshots over the caps. Ones in
// use leave the index now and the disk at their last Release. It returns
// the directories to remove.
func (c *SnapshotCache) evictLocked() []string {
	var dirs []string
	for el := c.lru.Back(); el != nil && (c.lru.Len() > c.opts.MaxEntries || c.bytes > c.opts.MaxBytes); {
		e := el.Value.(*snapEntry)
		prev := el.Prev()
		c.lru.Remove(el)
		delete(c.entries, e.key)
		c.bytes -= e.snap.Stats.Bytes
		e.evicted = true
		if e.refs == 0 {
			dirs = append(dirs, e.snap.Dir)
		}
		el = prev
	}
	return dirs
}

func (c *SnapshotCache) release(e *snapEntry) {
	c.mu.Lock()
	e.refs--
	gone := e.evicted && e.refs == 0
	c.mu.Unlock()
	if gone {
		removeDirs([]string{e.snap.Dir})
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func removeDirs(dirs []string) {
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

// load downloads and extracts one snapshot into a directory of its own.
func (c *SnapshotCache) load(ctx context.Context, client *Client, owner, repo, sha, what string) (snapData, error) {
	u, resp, err := client.gh.Repositories.GetArchiveLink(ctx, owner, repo, github.Tarball, &github.RepositoryContentGetOptions{Ref: sha}, 1)
	if err != nil {
		// go-github reports a non-302 as a plain error beside the response.
		if resp != nil && resp.StatusCode != http.StatusFound {
			return snapData{}, statusError(what+": archive link", resp.StatusCode, resp.Status, nil, err)
		}
		return snapData{}, Wrap(what+": archive link", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return snapData{}, fmt.Errorf("%s: %w", what, err)
	}
	// The link carries its own short-lived credential; the client's
	// token is not sent to the archive host.
	dl, err := client.download.Do(req)
	if err != nil {
		return snapData{}, Wrap(what+": download", err)
	}
	defer drain(dl)
	if dl.StatusCode != http.StatusOK {
		return snapData{}, statusError(what+": download", dl.StatusCode, dl.Status, nil, nil)
	}
	sum := sha256.Sum256([]byte(owner + "/" + repo + "@" + sha))
	nonce := make([]byte, 4)
	_, _ = rand.Read(nonce)
	dir := filepath.Join(c.opts.Dir, "snap-"+sha[:12]+"-"+hex.EncodeToString(sum[:4])+hex.EncodeToString(nonce))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return snapData{}, fmt.Errorf("%s: %w", what, err)
	}
	lim := c.opts.Limits
	body := &capReader{r: dl.Body, left: lim.MaxDownloadBytes, limit: fmt.Sprintf("%d bytes compressed", lim.MaxDownloadBytes), what: what}
	st, err := ExtractTarball(body, dir, lim)
	if err != nil {
		_ = os.RemoveAll(dir)
		return snapData{}, fmt.Errorf("%s: %w", what, err)
	}
	return snapData{Owner: owner, Repo: repo, SHA: sha, Dir: dir, Stats: st}, nil
}
