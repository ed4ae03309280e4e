package githubapp

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// CheckName is the check run that says whether a commit's .tfdrift.yml
// (and the code it names) loads.
const CheckName = "tfdrift config"

// GitHub's limits on a check run: 50 annotations a request, 65,535
// characters of summary.
const (
	maxAnnotations = 50
	maxSummary     = 60000
)

// reportProblem tells about a .tfdrift.yml that does not load: a log
// line, the metric, and a failing check run on the commit with an
// annotation at each problem's file and line.
func (a *App) reportProblem(ctx context.Context, c *ghapi.Client, r *repo) {
	p := r.Problem
	a.m.configErrors.WithLabelValues(r.FullName).Inc()
	kept := "nothing (no earlier commit loaded)"
	if r.SHA != "" {
		kept = "the configuration of " + short(r.SHA)
	}
	a.log.Error("github: .tfdrift.yml does not load; keeping the previous good one", "repo", r.FullName, "sha", p.SHA,
		"keeping", kept, "problems", p.String())
	title := fmt.Sprintf("%s does not load: %s", ".tfdrift.yml", plural(len(p.Annotations), "problem"))
	var b strings.Builder
	fmt.Fprintf(&b, "tfdrift could not use this commit's configuration, so it keeps using %s until a commit fixes it.\n\n", kept)
	for _, an := range p.Annotations {
		fmt.Fprintf(&b, "- `%s", an.Path)
		if an.Line > 0 {
			fmt.Fprintf(&b, ":%d", an.Line)
		}
		fmt.Fprintf(&b, "`: %s\n", an.Message)
	}
	a.check(ctx, c, r, p.SHA, "failure", title, b.String(), p.Annotations)
}

// reportLoaded marks a commit whose .tfdrift.yml loaded with a
// successful check run.
func (a *App) reportLoaded(ctx context.Context, c *ghapi.Client, r *repo) {
	var b strings.Builder
	fmt.Fprintf(&b, "tfdrift files the drifts of these roots here:\n\n")
	for _, rt := range r.Roots {
		state := rt.state
		if state == "" {
			state = "(no state: set state: to file its drifts here)"
		}
		fmt.Fprintf(&b, "- `%s`: state `%s`", rt.spec.Dir, state)
		if rt.spec.Workspace != "" {
			fmt.Fprintf(&b, " (workspace `%s`)", rt.spec.Workspace)
		}
		if !rt.spec.Issues {
			b.WriteString(", no issues")
		} else {
			fmt.Fprintf(&b, ", issues from %s", rt.spec.MinSeverity)
		}
		b.WriteString("\n")
	}
	a.check(ctx, c, r, r.SHA, "success", fmt.Sprintf(".tfdrift.yml loaded: %s", plural(len(r.Roots), "root")), b.String(), nil)
}

// check writes the check run on sha, unless one of the same conclusion
// is already there (a restart, another replica).
func (a *App) check(ctx context.Context, c *ghapi.Client, r *repo, sha, conclusion, title, summary string, anns []Annotation) {
	if a.o.ReadOnly {
		return
	}
	gh := c.GitHub()
	name := CheckName
	existing, _, err := gh.Checks.ListCheckRunsForRef(ctx, r.Owner, r.Name, sha, &github.ListCheckRunsOptions{CheckName: &name})
	if err == nil {
		for _, cr := range existing.CheckRuns {
			if cr.GetConclusion() == conclusion && a.isOwnApp(cr.GetApp().GetSlug()) {
				return
			}
		}
	}
	if len(summary) > maxSummary {
		summary = summary[:maxSummary] + "\n…"
	}
	out := &github.CheckRunOutput{Title: github.String(title), Summary: github.String(summary)}
	for i, an := range anns {
		if i == maxAnnotations {
			break
		}
		line := max(an.Line, 1)
		out.Annotations = append(out.Annotations, &github.CheckRunAnnotation{
			Path: github.String(an.Path), StartLine: github.Int(line), EndLine: github.Int(line),
			AnnotationLevel: github.String("failure"), Message: github.String(an.Message),
			Title: github.String("tfdrift config"),
		})
	}
	_, _, err = gh.Checks.CreateCheckRun(ctx, r.Owner, r.Name, github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: sha, Status: github.String("completed"), Conclusion: github.String(conclusion), Output: out,
	})
	if err != nil {
		a.log.Warn("github: could not write the tfdrift config check run", "repo", r.FullName, "sha", sha, "err", ghapi.Wrap("create check run", err))
	}
}

// loadSlug learns the App's slug (GET /app) once: the author of what the
// App writes is "<slug>[bot]".
func (a *App) loadSlug(ctx context.Context) {
	if a.slug.Load() != nil {
		return
	}
	app, _, err := a.gh.Client().GitHub().Apps.Get(ctx, "")
	if err != nil {
		a.log.Warn("github: could not read the App (GET /app); its own issues are recognised by their marker and bot author alone", "err", err)
		return
	}
	s := app.GetSlug()
	a.slug.Store(&s)
}

// isOwnApp reports whether slug is this App's (true when the slug is
// not known yet).
func (a *App) isOwnApp(slug string) bool {
	s := a.slug.Load()
	return s == nil || strings.EqualFold(*s, slug)
}

// isOwnBot reports whether login is the App's bot user. Before the slug
// is known, any bot qualifies: issues are recognised by their marker too.
func (a *App) isOwnBot(login string, isBot bool) bool {
	if !isBot {
		return false
	}
	s := a.slug.Load()
	return s == nil || strings.EqualFold(login, *s+"[bot]")
}

func short(sha string) string { return sha[:min(len(sha), 12)] }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
