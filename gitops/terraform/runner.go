package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// Flavor is which command-line tool a binary is.
type Flavor string

// Flavors.
const (
	FlavorTerraform Flavor = "terraform"
	FlavorOpenTofu  Flavor = "tofu"
)

// userAgent is appended to the providers' user agent, so that cloud audit
// logs show which Terraform runs were tfdrift's (reverts, above all).
const userAgent = "tfdrift"

// Runner runs Terraform in one root module's working directory. Build it
// with New. Its methods are safe for concurrent use: they run one
// Terraform command at a time.
type Runner struct {
	dir         string
	binary      string
	flavor      Flavor
	logger      *slog.Logger
	output      io.Writer
	lockTimeout *time.Duration
	varFiles    []string

	mu sync.Mutex // held for a whole operation: tf's streams are per call
	tf *tfexec.Terraform
	// version is set once the binary passed the version check.
	version string
}

// Option configures New.
type Option interface {
	configureRunner(*runnerConfig)
}

type runnerConfig struct {
	binary      string
	env         []string
	envSet      bool
	logger      *slog.Logger
	output      io.Writer
	lockTimeout *time.Duration
	varFiles    []string
}

var defaultRunnerConfig = runnerConfig{binary: "terraform"}

// BinaryOption is the Binary option.
type BinaryOption struct{ path string }

// Binary sets the terraform or tofu executable: a path, or a name looked up
// in PATH. The default is "terraform". A binary whose file name contains
// "tofu" is treated as OpenTofu for the version check.
func Binary(path string) *BinaryOption { return &BinaryOption{path} }

func (o *BinaryOption) configureRunner(c *runnerConfig) { c.binary = o.path }

// EnvOption is the Env option.
type EnvOption struct{ env []string }

// Env sets Terraform's whole environment ("KEY=value" entries). Without it
// Terraform inherits tfdrift's environment, as with os/exec.
//
// Some variables would silently change what Terraform plans, and are
// refused by New: TF_CLI_ARGS and TF_CLI_ARGS_* (extra arguments),
// TF_WORKSPACE (select workspaces with SelectWorkspace) and
// TF_REATTACH_PROVIDERS. TF_VAR_* variables are refused in an explicit
// Env because terraform-exec cannot pass them on: put such values in a
// .tfvars file (VarFile). An inherited TF_VAR_* is passed on as usual.
// Variables that only shape output or logging (TF_LOG*, TF_INPUT,
// TF_IN_AUTOMATION, TF_APPEND_USER_AGENT) are dropped: the Runner sets
// them itself.
func Env(env []string) *EnvOption { return &EnvOption{env} }

func (o *EnvOption) configureRunner(c *runnerConfig) {
	c.env = o.env
	c.envSet = true
}

// LoggerOption is the Logger option.
type LoggerOption struct{ l *slog.Logger }

// Logger receives every line Terraform prints, at debug level with the
// command name, and a record per command run. The default discards.
func Logger(l *slog.Logger) *LoggerOption { return &LoggerOption{l} }

func (o *LoggerOption) configureRunner(c *runnerConfig) { c.logger = o.l }

// VarFileOption is the VarFile option.
type VarFileOption struct{ path string }

// VarFile adds -var-file=PATH to every plan (paths relative to the working
// directory, as Terraform resolves them). Applying a saved plan needs no
// variables: they are in the plan.
func VarFile(path string) *VarFileOption { return &VarFileOption{path} }

func (o *VarFileOption) configureRunner(c *runnerConfig) { c.varFiles = append(c.varFiles, o.path) }

// OutputOption is the Output option. It configures both New (every
// command) and Revert (that call only).
type OutputOption struct{ w io.Writer }

// Output streams what Terraform prints, as it prints it: the human output
// of plan and apply, and the messages of -json runs as text. The default
// is none (Logger still gets every line).
func Output(w io.Writer) *OutputOption { return &OutputOption{w} }

func (o *OutputOption) configureRunner(c *runnerConfig) { c.output = o.w }
func (o *OutputOption) configureRevert(c *revertConfig) { c.output, c.outputSet = o.w, true }

// LockTimeoutOption is the LockTimeout option. It configures both New
// (every command) and Revert (that call only).
type LockTimeoutOption struct{ d time.Duration }

// LockTimeout is how long Terraform waits for the state lock
// (-lock-timeout). Without it Terraform's default applies: fail at once,
// which tfdrift reports as *LockHeldError.
func LockTimeout(d time.Duration) *LockTimeoutOption { return &LockTimeoutOption{d} }

func (o *LockTimeoutOption) configureRunner(c *runnerConfig) { c.lockTimeout = &o.d }
func (o *LockTimeoutOption) configureRevert(c *revertConfig) { c.lockTimeout = &o.d }

// New returns a Runner for the root module in workdir. It checks that the
// directory and the binary exist and that the environment is usable; the
// binary's version is checked by the first command (or CheckVersion).
func New(workdir string, opts ...Option) (*Runner, error) {
	c := defaultRunnerConfig
	for _, o := range opts {
		o.configureRunner(&c)
	}
	dir, err := filepath.Abs(workdir)
	if err != nil {
		return nil, fmt.Errorf("terraform runner: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("terraform runner: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("terraform runner: %s is not a directory", dir)
	}
	bin, err := resolveBinary(c.binary)
	if err != nil {
		return nil, err
	}
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		return nil, fmt.Errorf("terraform runner: %w", err)
	}
	if c.envSet {
		env, err := explicitEnv(c.env)
		if err != nil {
			return nil, err
		}
		if err := tf.SetEnv(env); err != nil {
			return nil, fmt.Errorf("terraform runner: %w", err)
		}
	} else if err := checkInherited(os.Environ()); err != nil {
		return nil, err
	}
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	_ = tf.SetAppendUserAgent(userAgent)
	tf.SetLogger(printfLogger{logger})
	return &Runner{
		dir:         dir,
		binary:      bin,
		flavor:      flavorOf(bin),
		logger:      logger.With("dir", dir),
		output:      c.output,
		lockTimeout: c.lockTimeout,
		varFiles:    c.varFiles,
		tf:          tf,
	}, nil
}

// Dir is the root module's directory (absolute).
func (r *Runner) Dir() string { return r.dir }

// Binary is the executable's path.
func (r *Runner) Binary() string { return r.binary }

// Flavor says whether the binary is Terraform or OpenTofu.
func (r *Runner) Flavor() Flavor { return r.flavor }

func resolveBinary(name string) (string, error) {
	if name == "" {
		return "", errors.New("terraform runner: empty binary path")
	}
	if !strings.ContainsRune(name, filepath.Separator) {
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("terraform runner: binary %q: %w", name, err)
		}
		name = p
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", fmt.Errorf("terraform runner: binary %q: %w", name, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("terraform runner: binary: %w", err)
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("terraform runner: binary %s is not an executable file", abs)
	}
	return abs, nil
}

func flavorOf(bin string) Flavor {
	if strings.Contains(strings.ToLower(filepath.Base(bin)), "tofu") {
		return FlavorOpenTofu
	}
	return FlavorTerraform
}

// refusedEnv names variables that change what Terraform plans behind the
// Runner's back.
func refusedEnv(k string) string {
	switch {
	case k == "TF_CLI_ARGS" || strings.HasPrefix(k, "TF_CLI_ARGS_"):
		return "it adds arguments to every command and would change what is planned"
	case k == "TF_WORKSPACE":
		return "select the workspace with SelectWorkspace (gitops/workspace does)"
	case k == "TF_REATTACH_PROVIDERS":
		return "it attaches debug provider processes"
	}
	return ""
}

// droppedEnv names variables the Runner (through terraform-exec) sets
// itself; they affect only output and logging.
func droppedEnv(k string) bool {
	switch k {
	case "TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_INPUT",
		"TF_IN_AUTOMATION", "TF_APPEND_USER_AGENT", "TF_DISABLE_PLUGIN_TLS", "TF_SKIP_PROVIDER_VERIFY":
		return true
	}
	return false
}

func explicitEnv(env []string) (map[string]string, error) {
	out := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			continue
		}
		if why := refusedEnv(k); why != "" {
			return nil, fmt.Errorf("terraform runner: environment variable %s is not allowed: %s", k, why)
		}
		if strings.HasPrefix(k, "TF_VAR_") {
			return nil, fmt.Errorf("terraform runner: environment variable %s: terraform-exec cannot pass TF_VAR_* variables; put the value in a .tfvars file", k)
		}
		if droppedEnv(k) {
			continue
		}
		out[k] = v
	}
	return out, nil
}

func checkInherited(env []string) error {
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if why := refusedEnv(k); why != "" {
			return fmt.Errorf("terraform runner: environment variable %s is set: %s; unset it or pass Env", k, why)
		}
	}
	return nil
}

// printfLogger adapts slog to terraform-exec's Printf logger, which says
// which command line it runs.
type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "[INFO] "))
	p.l.Debug(msg, "component", "terraform-exec")
}

// planOptions are the options every plan shares: lock timeout, var
// files and targets.
func (r *Runner) planOptions(targets []string, lockTimeout *time.Duration) []tfexec.PlanOption {
	var opts []tfexec.PlanOption
	if lockTimeout != nil {
		opts = append(opts, tfexec.LockTimeout(lockTimeout.String()))
	}
	for _, f := range r.varFiles {
		opts = append(opts, tfexec.VarFile(f))
	}
	for _, t := range targets {
		opts = append(opts, tfexec.Target(t))
	}
	return opts
}

// run executes one Terraform command through fn with the command's
// output wired to the logger, out (may be nil) and a capture used to type
// the error. jsonUI says stdout is Terraform's machine-readable UI;
// quiet says stdout is a result fn reads (show), not progress.
func (r *Runner) run(ctx context.Context, name string, out io.Writer, mode streamMode, fn func(tf *tfexec.Terraform, stdout io.Writer) error) error {
	s := newStreams(r.logger.With("cmd", name), out, mode)
	var stdout io.Writer
	if mode != quiet {
		stdout = s.stdout()
	}
	r.tf.SetStdout(stdout)
	r.tf.SetStderr(s.stderr())
	defer func() {
		r.tf.SetStdout(nil)
		r.tf.SetStderr(nil)
	}()
	start := time.Now()
	err := fn(r.tf, stdout)
	s.flush()
	r.logger.Debug("terraform command finished", "cmd", name, "duration", time.Since(start), "error", err != nil)
	if err != nil {
		return fmt.Errorf("terraform %s in %s: %w", name, r.dir, classify(err, s.diagnostics()))
	}
	return nil
}

// planFile makes a private directory for one operation's plan file. Plans
// hold every attribute value, sensitive ones included, so the directory is
// mode 0700 and removed afterwards.
func planFile(name string) (path string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "tfdrift-plan-")
	if err != nil {
		return "", nil, fmt.Errorf("plan file: %w", err)
	}
	return filepath.Join(dir, name), func() { os.RemoveAll(dir) }, nil
}
