package edit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

// ApplyOption configures Plan.Apply.
type ApplyOption interface{ configureApply(*applyConfig) }

type applyConfig struct {
	terraform string
	verbatim  bool
	ctx       context.Context
}

type applyFunc func(*applyConfig)

func (f applyFunc) configureApply(c *applyConfig) { f(c) }

// FmtWith makes Apply run `terraform fmt` (the binary at terraformPath)
// on the edited files, so they end up exactly as the team's CI formats
// them. Without it Apply formats them with hclwrite.Format, which is
// what terraform fmt does apart from a few Terraform-specific rewrites.
func FmtWith(terraformPath string) ApplyOption {
	return applyFunc(func(c *applyConfig) { c.terraform = terraformPath })
}

// Verbatim makes Apply write each file exactly as planned (FileEdit.After),
// formatting nothing: what a pull request commits, so that a proof run on
// the written files sees the commit's bytes. Accept already keeps a
// formatted block formatted.
func Verbatim() ApplyOption {
	return applyFunc(func(c *applyConfig) { c.verbatim = true })
}

// WithContext bounds the terraform fmt run.
func WithContext(ctx context.Context) ApplyOption {
	return applyFunc(func(c *applyConfig) { c.ctx = ctx })
}

// ErrChanged is returned by Apply when a file no longer has the content
// the plan was made from.
var ErrChanged = errors.New("file changed since the plan was made")

// Apply writes the plan's edits under repoRoot. Every file is first
// checked against its Before content (nothing is written if any changed),
// then replaced atomically (a temporary file in the same directory,
// renamed over it, keeping its permissions). The edited native-syntax
// files (.tf, .tfvars) are then formatted; JSON files are left as
// planned. With Verbatim nothing is formatted.
func (p *Plan) Apply(repoRoot string, opts ...ApplyOption) error {
	cfg := applyConfig{ctx: context.Background()}
	for _, o := range opts {
		o.configureApply(&cfg)
	}
	root, err := os.OpenRoot(repoRoot)
	if err != nil {
		return fmt.Errorf("repository: %w", err)
	}
	defer root.Close()
	for _, e := range p.Edits {
		cur, err := root.ReadFile(filepath.FromSlash(e.File))
		if err != nil {
			return fmt.Errorf("apply %s: %w", e.File, err)
		}
		if !bytes.Equal(cur, e.Before) {
			return fmt.Errorf("apply %s: %w", e.File, ErrChanged)
		}
	}
	var native []string
	for _, e := range p.Edits {
		out := e.After
		if !isJSONFile(e.File) && !cfg.verbatim {
			native = append(native, e.File)
			if cfg.terraform == "" {
				out = hclwrite.Format(out)
			}
		}
		if err := writeAtomic(root, e.File, out); err != nil {
			return fmt.Errorf("apply %s: %w", e.File, err)
		}
	}
	if cfg.terraform != "" && len(native) > 0 {
		// terraform runs in repoRoot, so the files are named relative to
		// it (joining repoRoot again broke a relative --repo), and a
		// relative binary path is made absolute first.
		args := []string{"fmt", "-list=false", "-no-color"}
		for _, f := range native {
			args = append(args, filepath.FromSlash(f))
		}
		bin := cfg.terraform
		if !filepath.IsAbs(bin) && strings.ContainsRune(bin, filepath.Separator) {
			if abs, err := filepath.Abs(bin); err == nil {
				bin = abs
			}
		}
		cmd := exec.CommandContext(cfg.ctx, bin, args...)
		cmd.Dir = repoRoot
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			// %v: terraform's exit status is not ours (an ExitCode method
			// would become tfdrift's exit status).
			return fmt.Errorf("terraform fmt %s: %v: %s", strings.Join(native, " "), err, strings.TrimSpace(stderr.String()))
		}
	}
	return nil
}

// writeAtomic replaces name inside root: readers see the old or the new
// file, never half of one. The temporary name starts with a dot, which
// Terraform ignores, should a crash leave it behind.
func writeAtomic(root *os.Root, name string, data []byte) error {
	name = filepath.FromSlash(name)
	mode := fs.FileMode(0o644)
	if st, err := root.Stat(name); err == nil {
		mode = st.Mode().Perm()
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(name), "."+path.Base(filepath.ToSlash(name))+"."+hex.EncodeToString(rnd[:])+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = root.Chmod(tmp, mode)
	}
	if werr == nil {
		werr = root.Rename(tmp, name)
	}
	if werr != nil {
		_ = root.Remove(tmp)
		return werr
	}
	return nil
}
