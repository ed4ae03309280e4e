package tftest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tfaddr "github.com/hashicorp/terraform-registry-address"
)

// ProviderVersion is the version the mirror publishes; fixtures pin it:
//
//	required_providers { aws = { source = "hashicorp/aws", version = "0.0.1" } }
const ProviderVersion = "0.0.1"

// providerPkg is the provider's main package, relative to the module root.
const providerPkg = "./internal/tftest/provider"

// providerAddr is hashicorp/aws on Terraform's default provider host: the
// mirror directory layout needs the host spelled out.
var providerAddr = tfaddr.NewProvider(tfaddr.DefaultProviderRegistryHost, "hashicorp", "aws")

var mirror struct {
	once sync.Once
	path string
	err  error
}

// ProviderMirror returns a filesystem-mirror directory that holds the test
// provider as hashicorp/aws 0.0.1 for this platform. The provider is built
// at most once per test binary, and the build is cached under
// ToolsDir()/provider/<hash> so later `go test` runs with unchanged
// provider sources reuse it. Concurrent test binaries serialise the build
// on a file lock instead of building twice.
func ProviderMirror(t testing.TB) string {
	t.Helper()
	mirror.once.Do(func() {
		mirror.path, mirror.err = buildMirror()
	})
	if mirror.err != nil {
		t.Fatalf("tftest: provider mirror: %v", mirror.err)
	}
	return mirror.path
}

// mirrorBinary is where Terraform's unpacked mirror layout expects the
// provider: HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION.
func mirrorBinary(mirrorDir string) string {
	return filepath.Join(mirrorDir,
		providerAddr.Hostname.String(), providerAddr.Namespace, providerAddr.Type,
		ProviderVersion, runtime.GOOS+"_"+runtime.GOARCH,
		"terraform-provider-"+providerAddr.Type+"_v"+ProviderVersion)
}

func buildMirror() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	hash, err := providerSourceHash(root)
	if err != nil {
		return "", err
	}
	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	base := filepath.Join(tools, "provider")
	dir := filepath.Join(base, hash)
	mirrorDir := filepath.Join(dir, "mirror")
	bin := mirrorBinary(mirrorDir)
	if _, err := os.Stat(bin); err == nil {
		// Mark the build as in use for pruneOldBuilds.
		now := time.Now()
		_ = os.Chtimes(dir, now, now)
		return mirrorDir, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	unlock, err := flock(dir + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	// Another test binary may have built it while we waited for the lock.
	if _, err := os.Stat(bin); err == nil {
		return mirrorDir, nil
	}
	// Build outside the mirror so a failed build leaves nothing there that
	// Terraform could mistake for a provider.
	tmp := filepath.Join(dir, "build.tmp")
	cmd := exec.Command("go", "build", "-o", tmp, providerPkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s in %s: %w\n%s", providerPkg, root, err, out.Bytes())
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	pruneOldBuilds(base, hash)
	return mirrorDir, nil
}

// pruneOldBuilds removes cached builds of other provider sources that
// nobody has rebuilt for a week, so that the cache does not grow by 26 MB
// with every provider change. Recent ones stay: another checkout may
// still be using them. Failures only leave disk space behind.
func pruneOldBuilds(base, keep string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-7 * 24 * time.Hour)
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".lock")
		if name == keep {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
}

// providerSourceHash covers everything that changes the provider binary:
// its Go sources, the module's requirements and the toolchain.
func providerSourceHash(root string) (string, error) {
	var files []string
	for _, dir := range []string{"internal/tftest/provider", "internal/tftest/internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("hash provider sources: %w", err)
		}
	}
	slices.Sort(files)
	files = append(files, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"))
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("hash provider sources: %w", err)
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// moduleRoot finds the tfdrift module from this file's compile-time path,
// falling back to `go env GOMOD` from the working directory (go test runs
// in the package directory, inside the module) when built with -trimpath.
func moduleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Clean(root), nil
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find module root: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("find module root: not inside the tfdrift module")
	}
	return filepath.Dir(gomod), nil
}

// flock takes an exclusive lock on path, waiting for other holders.
func flock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
