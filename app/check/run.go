package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/action"
	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/ignore"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/ticket"
)

// Exit statuses of Run.
const (
	// ExitOK: every root was checked and no drift is at or above
	// --fail-on (or --fail-on is none).
	ExitOK = 0
	// ExitError: the check could not run, or a root could not be checked,
	// or a report could not be written, or (--open-issues) an issue could
	// not be opened or updated. Drift found in the other roots is still
	// reported everywhere.
	ExitError = 1
	// ExitDrift: every root was checked and some drift is at or above
	// --fail-on.
	ExitDrift = 2
)

// Check checks every root module and writes the reports. It returns the
// exit status and, for ExitError, the error to print (the details of a
// failed root are in the reports already). The status:
//
//   - 0 (ExitOK): no drift at or above --fail-on;
//   - 2 (ExitDrift): drift at or above --fail-on;
//   - 1 (ExitError): an error: bad arguments or config, a root that could
//     not be checked, a report that could not be written, or with
//     --open-issues a missing GITHUB_TOKEN or GITHUB_REPOSITORY or an issue
//     that could not be opened or updated. An error wins
//     over drift: a check that did not see every root cannot pass, and
//     "2" would claim it saw everything.
//
// --fail-on none never fails on drift. Inside GitHub Actions
// (GITHUB_ACTIONS=true) the step outputs are written whatever happens,
// so a workflow can always read has-drift and drift-count.
func Check(ctx context.Context, env Env, a Args) (int, error) {
	gh := github(env)
	rep, code, err := run(ctx, env, a, gh)
	if gh.actions {
		if werr := gh.writeOutputs(rep, a); werr != nil {
			return ExitError, errors.Join(err, werr)
		}
	}
	return code, err
}

// run is Run before the step outputs.
func run(ctx context.Context, env Env, a Args, gh githubEnv) (*action.Report, int, error) {
	rep := &action.Report{FailOn: a.FailOn, Version: a.Version, BlobURL: gh.blobURL()}
	if rep.FailOn == "" {
		rep.FailOn = DefaultFailOn
	}
	min, err := failOn(a.FailOn)
	if err != nil {
		return rep, ExitError, err
	}
	if min == "" {
		rep.FailOn = FailOnNone
	}
	repoDir := a.RepoDir
	if repoDir == "" {
		repoDir = "."
	}
	if fi, err := os.Stat(repoDir); err != nil || !fi.IsDir() {
		return rep, ExitError, fmt.Errorf("repository %s: not a directory", repoDir)
	}
	var issues *issueRepo
	if a.OpenIssues {
		// Checked before any root runs: a pipeline without a token should
		// say so at once, not after every plan.
		if issues, err = issueRepoFrom(env); err != nil {
			return rep, ExitError, err
		}
	}
	cfg, err := loadConfig(env, a.ConfigFile)
	if err != nil {
		return rep, ExitError, err
	}
	rc, err := config.LoadRepo(repoDir)
	if err != nil {
		return rep, ExitError, err
	}
	ign, err := loadIgnore(repoDir, cfg, rc)
	if err != nil {
		return rep, ExitError, err
	}
	roots, err := resolveRoots(repoDir, a.Dirs, rc)
	if err != nil {
		return rep, ExitError, err
	}
	binary := a.Binary
	if binary == "" && cfg != nil {
		binary = cfg.Terraform.Binary
	}
	if binary == "" {
		binary = config.DefaultTerraformBinary
	}
	p := &pipeline{rules: rules.NewSet(nil, ""), now: env.now(), repo: gh.repository, ref: gh.sha}
	if issues != nil {
		// The issues' permalinks need the repository and commit outside
		// Actions too (a person's run with a token and GITHUB_SHA).
		if p.repo == "" {
			p.repo = issues.fullName()
		}
		if p.ref == "" {
			p.ref = issues.sha
		}
	}
	if cfg != nil {
		p.rules = cfg.RuleSet()
	}
	if ign != nil {
		p.ignore = ign
	}
	c := &checker{repoDir: repoDir, binary: binary, args: a, pipeline: p, progress: env.Stderr}
	rep.Roots = c.checkAll(ctx, roots)

	if err := writeReports(env, a, gh, rep); err != nil {
		return rep, ExitError, err
	}
	// The reports are written first: a drift whose issue cannot be
	// opened is still reported everywhere else.
	var issueErr error
	if issues != nil {
		issueErr = openIssues(ctx, issues, rep, roots, env.Stderr)
	}
	if failed := rep.Failed(); len(failed) > 0 {
		return rep, ExitError, errors.Join(fmt.Errorf("%d of %s not checked", len(failed), plural(len(rep.Roots), "root module")), issueErr)
	}
	if issueErr != nil {
		return rep, ExitError, issueErr
	}
	if err := ctx.Err(); err != nil {
		return rep, ExitError, err
	}
	if min != "" && rep.AtOrAbove(min) > 0 {
		return rep, ExitDrift, nil
	}
	return rep, ExitOK, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// loadConfig reads --config. Only the rules, the ignore file and the
// terraform binary matter to a check, so variables the check does not
// need (a Slack webhook's secret) may be unset.
func loadConfig(env Env, file string) (*config.Config, error) {
	if file == "" {
		return nil, nil
	}
	// The notices layer's template functions and data, so that a config
	// whose templates serve accepts loads here too.
	cfg, err := config.Load(file, config.WithEnv(env.lookupEnv), config.AllowMissingEnv(),
		config.WithTemplateFuncs(ticket.TemplateFuncs()), config.WithTemplateData(ticket.SampleTemplateData()))
	if err != nil {
		return nil, err
	}
	if env.Stderr != nil {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(env.Stderr, "tfdrift check: warning: %s\n", w.String())
		}
	}
	return cfg, nil
}

// loadIgnore reads the ignore lines of .tfdrift.yml and then the ignore
// file (the config's ignore_file, else .tfdriftignore, relative to the
// repository), read as one file: see config.IgnoreChain.
func loadIgnore(repoDir string, cfg *config.Config, rc *config.RepoConfig) (ignorer, error) {
	name := ignore.FileName
	if cfg != nil && cfg.IgnoreFile != "" {
		name = cfg.IgnoreFile
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(repoDir, name)
	}
	file, err := ignore.Load(name)
	if err != nil {
		return nil, err
	}
	var chain config.IgnoreChain
	if rc != nil && rc.Ignore != nil {
		chain = append(chain, rc.Ignore)
	}
	if file.Len() > 0 {
		chain = append(chain, file)
	}
	if len(chain) == 0 {
		return nil, nil
	}
	return chain, nil
}

// checker runs the roots.
type checker struct {
	repoDir  string
	binary   string
	args     Args
	pipeline *pipeline
	progress io.Writer // may be nil

	mu sync.Mutex // serialises progress lines
}

func (c *checker) say(format string, args ...any) {
	if c.progress == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.progress, "tfdrift check: "+format+"\n", args...)
}

// checkAll checks the roots, at most Parallel at a time, and returns their
// results in the order given. A root's failure is its own result.
func (c *checker) checkAll(ctx context.Context, roots []root) []action.Root {
	n := c.args.Parallel
	if n <= 0 {
		n = runtime.NumCPU()
	}
	out := make([]action.Root, len(roots))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, rt := range roots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = action.Root{Dir: rt.dir, Err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			start := time.Now()
			c.say("%s: checking", rt.dir)
			out[i] = c.check(ctx, rt)
			if out[i].Err != nil {
				c.say("%s: not checked (%s)", rt.dir, time.Since(start).Round(time.Millisecond))
			} else {
				c.say("%s: %d resources, %d drifted (%s)", rt.dir, out[i].Resources, len(out[i].Drifts), time.Since(start).Round(time.Millisecond))
			}
		}()
	}
	wg.Wait()
	return out
}

// check runs one root: init, workspace, the refresh-only plan, the code,
// then the pipeline.
func (c *checker) check(ctx context.Context, rt root) action.Root {
	res := action.Root{Dir: rt.dir}
	fail := func(err error) action.Root {
		res.Err = err
		return res
	}
	dir := filepath.Join(c.repoDir, filepath.FromSlash(rt.dir))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fail(fmt.Errorf("%s is not a directory", dir))
	}
	if !hasConfig(dir) {
		return fail(fmt.Errorf("%s holds no Terraform configuration (*.tf, *.tf.json)", dir))
	}
	opts := []terraform.Option{terraform.Binary(c.binary)}
	if c.args.TerraformEnv != nil {
		opts = append(opts, terraform.Env(c.args.TerraformEnv))
	}
	for _, f := range rt.spec.VarFiles {
		opts = append(opts, terraform.VarFile(f))
	}
	tf, err := terraform.New(dir, opts...)
	if err != nil {
		return fail(err)
	}
	var initOpts []terraform.InitOption
	for _, b := range append(append([]string(nil), rt.spec.BackendConfig...), c.args.BackendConfig...) {
		initOpts = append(initOpts, terraform.BackendConfig(b))
	}
	if err := tf.Init(ctx, initOpts...); err != nil {
		return fail(err)
	}
	if ws := rt.spec.Workspace; ws != "" && ws != "default" {
		if err := tf.SelectWorkspace(ctx, ws, false); err != nil {
			return fail(err)
		}
	}
	refresh, err := tf.RefreshOnlyPlan(ctx, terraform.Lock(false))
	if err != nil {
		return fail(err)
	}
	res.Resources = len(refresh.Resources)
	code, err := c.loadCode(rt)
	if err != nil {
		// Terraform read this code, so the locator should too; without it
		// drifts lose their lines but are still drift.
		c.say("%s: warning: code locations unavailable: %v", rt.dir, err)
	} else {
		res.DefaultFile = defaultFile(code, rt.dir)
	}
	for _, rr := range refresh.Drifted() {
		d, ignored := c.pipeline.drift(rt, code, rr)
		res.Ignored += ignored
		if d != nil {
			res.Drifts = append(res.Drifts, *d)
		}
	}
	return res
}

// loadCode parses the root's code and its local modules.
func (c *checker) loadCode(rt root) (*locate.Repo, error) {
	m, err := locate.LoadMulti(c.repoDir, []locate.RootSpec{{
		Dir: rt.dir, Workspace: rt.spec.Workspace, StateKey: rt.spec.State, VarFiles: rt.spec.VarFiles,
	}})
	if err != nil {
		return nil, err
	}
	return m.Repos()[0], nil
}

// defaultFile is where a resource that is not in the code is shown: the
// root's first file (main.tf when there is one).
func defaultFile(code *locate.Repo, dir string) string {
	var first string
	for _, f := range code.Files() {
		if path.Dir(f) != dir && !(dir == "." && !strings.Contains(f, "/")) {
			continue
		}
		if path.Base(f) == "main.tf" {
			return f
		}
		if first == "" {
			first = f
		}
	}
	return first
}

// writeReports writes the summary to stdout, the --json and --sarif files,
// and inside GitHub Actions the job summary and the annotations. Every
// output is attempted; the errors are joined.
func writeReports(env Env, a Args, gh githubEnv, rep *action.Report) error {
	type target struct {
		what   string
		output func(w io.Writer) action.Output
		open   func() (io.WriteCloser, error)
	}
	stdout := func() (io.WriteCloser, error) { return nopCloser{env.Stdout}, nil }
	targets := []target{{"summary", func(w io.Writer) action.Output { return action.Text{W: w} }, stdout}}
	if a.JSONFile != "" {
		targets = append(targets, target{"--json " + a.JSONFile, func(w io.Writer) action.Output { return action.JSONLines{W: w} }, create(a.JSONFile)})
	}
	if a.SARIFFile != "" {
		targets = append(targets, target{"--sarif " + a.SARIFFile, func(w io.Writer) action.Output { return action.SARIF{W: w} }, create(a.SARIFFile)})
	}
	if gh.actions {
		targets = append(targets, target{"annotations", func(w io.Writer) action.Output { return action.Annotations{W: w} }, stdout})
		if gh.stepSummary != "" {
			targets = append(targets, target{"job summary " + gh.stepSummary, func(w io.Writer) action.Output { return action.Summary{W: w} }, appendTo(gh.stepSummary)})
		}
	}
	var errs []error
	for _, t := range targets {
		w, err := t.open()
		if err == nil {
			err = t.output(w).Write(rep)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.what, err))
		}
	}
	return errors.Join(errs...)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func create(name string) func() (io.WriteCloser, error) {
	return func() (io.WriteCloser, error) {
		if dir := filepath.Dir(name); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		}
		return os.Create(name)
	}
}

func appendTo(name string) func() (io.WriteCloser, error) {
	return func() (io.WriteCloser, error) {
		return os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	}
}
