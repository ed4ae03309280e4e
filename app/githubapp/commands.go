package githubapp

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// commandPrefix starts a command line.
const commandPrefix = "/tfdrift"

// maxCommands bounds the commands one comment may run.
const maxCommands = 10

// maxCommentBody is GitHub's limit on a comment's body.
const maxCommentBody = 65536

// verbSpec is one command: what it needs and the flags it takes.
type verbSpec struct {
	verb    Verb
	args    string // the synopsis after the verb
	summary string
	need    ghapi.Permission
	// flags binds the verb's shared flags to c (nil: none).
	flags func(c *Command, fs *flag.FlagSet)
}

// verbs are the commands, in the order help lists them. A verb's flags
// are its job's RegisterShared, so "/tfdrift revert --allow-destroy" and
// "tfdrift revert --allow-destroy" are one definition.
var verbs = []verbSpec{
	{VerbAccept, "[ADDRESS…]", "make the code match the cloud, in a pull request", ghapi.PermissionWrite,
		func(c *Command, fs *flag.FlagSet) { c.Accept.RegisterShared(fs) }},
	{VerbRevert, "[ADDRESS…]", "put the cloud back as the code says (a guarded, targeted terraform apply; .tfdrift.yml's revert_permission may ask for another role)", ghapi.PermissionMaintain,
		func(c *Command, fs *flag.FlagSet) { c.Revert.RegisterShared(fs) }},
	{VerbIgnore, "[ADDRESS…]", "the change is intended: stop reporting this drift, or only some attributes, for good or for a while", ghapi.PermissionWrite,
		func(c *Command, fs *flag.FlagSet) { c.Ignore.RegisterShared(fs) }},
	{VerbRecheck, "[ADDRESS…]", "compare the resource with the cloud again", ghapi.PermissionWrite, nil},
	{VerbHelp, "", "this list", ghapi.PermissionNone, nil},
}

func lookupVerb(v string) (verbSpec, bool) {
	for _, s := range verbs {
		if string(s.verb) == v {
			return s, true
		}
	}
	return verbSpec{}, false
}

// requiredPermission is the role a verb needs on the repository: the
// verb's own, or for revert the repository's revert_permission.
func requiredPermission(s verbSpec, r *repo) ghapi.Permission {
	if s.verb == VerbRevert && r != nil && r.Config != nil && r.Config.RevertPermission != "" {
		if p, err := ghapi.ParsePermission(r.Config.RevertPermission); err == nil {
			return p
		}
	}
	return s.need
}

// commandLines returns the lines of a comment that are commands: those
// that start with "/tfdrift" (after up to three spaces, as Markdown
// allows), outside fenced code blocks and quotes.
func commandLines(body string) []string {
	var out []string
	fence := ""
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) > 3 {
			continue // an indented code block
		}
		if f := fenceOf(trimmed); f != "" {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(trimmed, fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if rest, ok := strings.CutPrefix(trimmed, commandPrefix); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			out = append(out, strings.TrimRight(trimmed, " \t"))
		}
	}
	return out
}

func fenceOf(line string) string {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(line, f) {
			return f
		}
	}
	return ""
}

// hasCommand reports whether a comment holds a command.
func hasCommand(body string) bool { return len(commandLines(body)) > 0 }

// parsed is one command line read: its spec and Command, or why not.
type parsed struct {
	spec verbSpec
	cmd  Command
	err  error
}

// parseCommand reads one command line.
func parseCommand(line string) parsed {
	rest := strings.TrimSpace(strings.TrimPrefix(line, commandPrefix))
	word, args, _ := strings.Cut(rest, " ")
	word = strings.TrimSpace(word)
	if word == "" {
		return parsed{spec: verbSpec{verb: VerbHelp}, cmd: Command{Verb: VerbHelp, Line: line}}
	}
	spec, ok := lookupVerb(strings.ToLower(word))
	if !ok {
		return parsed{err: fmt.Errorf("there is no command %q", word)}
	}
	c := Command{Verb: spec.verb, Line: line}
	pos, err := job.ParseLine(string(spec.verb), args, func(fs *flag.FlagSet) {
		if spec.flags != nil {
			spec.flags(&c, fs)
		}
	})
	if err != nil {
		return parsed{spec: spec, err: err}
	}
	if spec.verb == VerbHelp && len(pos) > 0 {
		return parsed{spec: spec, err: errors.New("help takes no arguments")}
	}
	c.Args = pos
	return parsed{spec: spec, cmd: c}
}

// Help is the Markdown the App answers "/tfdrift help" (and a command it
// cannot read) with: every command, the permission it needs and its
// flags, from the same definitions the parser uses.
func Help() string {
	var b strings.Builder
	b.WriteString("**tfdrift commands.** Start a line of a comment on this issue with one of them:\n\n")
	for _, s := range verbs {
		fmt.Fprintf(&b, "- `/tfdrift %s", s.verb)
		var c Command
		var flags []string
		var usage []string
		if s.flags != nil {
			fs := flag.NewFlagSet(string(s.verb), flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			s.flags(&c, fs)
			fs.VisitAll(func(f *flag.Flag) {
				flags = append(flags, "--"+f.Name)
				usage = append(usage, fmt.Sprintf("  - `--%s`: %s", f.Name, f.Usage))
			})
		}
		if s.args != "" {
			fmt.Fprintf(&b, " %s", s.args)
		}
		for _, f := range flags {
			fmt.Fprintf(&b, " [%s]", f)
		}
		fmt.Fprintf(&b, "`: %s", s.summary)
		if s.need > ghapi.PermissionNone {
			fmt.Fprintf(&b, " (needs the %s permission)", s.need)
		}
		b.WriteString(".\n")
		for _, u := range usage {
			b.WriteString(u + "\n")
		}
	}
	b.WriteString("\nADDRESS is a resource address this issue tracks; without one, the command applies to all of them. " +
		"Flags may come before or after the addresses. Edited comments and comments by bots are not run.\n")
	return b.String()
}

// commentEvent runs the commands of a comment on an issue or pull
// request the App opened.
func (a *App) commentEvent(ctx context.Context, t *task) error {
	lines := commandLines(t.Comment.Body)
	if len(lines) == 0 {
		return nil
	}
	c := a.gh.Installation(t.Installation)
	owner, name := t.Repo.Owner, t.Repo.Name
	a.react(ctx, c, owner, name, t.Comment.ID, "eyes")
	thread := Thread{Client: c, Installation: t.Installation, Owner: owner, Repo: name, Number: t.Issue.Number,
		IsPull: t.Issue.IsPull, URL: t.Issue.URL, Title: t.Issue.Title}
	ok := true
	var perm *ghapi.Permission
	if len(lines) > maxCommands {
		a.reply(ctx, thread, fmt.Sprintf("@%s: one comment runs at most %d commands; the first %d are run.", t.Comment.Author, maxCommands, maxCommands))
		lines, ok = lines[:maxCommands], false
	}
	for _, line := range lines {
		p := parseCommand(line)
		if p.err != nil {
			ok = false
			a.m.commands.WithLabelValues(verbLabel(p.spec.verb), "invalid").Inc()
			a.reply(ctx, thread, fmt.Sprintf("@%s: %s: %s.\n\n%s", t.Comment.Author, quoteLine(line), p.err, Help()))
			continue
		}
		if p.spec.verb == VerbHelp {
			a.m.commands.WithLabelValues("help", "ok").Inc()
			a.reply(ctx, thread, Help())
			continue
		}
		cur := a.view.Load().repos[strings.ToLower(t.Repo.fullName())]
		need := requiredPermission(p.spec, cur)
		if perm == nil {
			got, err := c.Permission(ctx, owner, name, t.Comment.Author)
			var nf *ghapi.NotFoundError
			if err != nil && !errors.As(err, &nf) {
				return fmt.Errorf("permission of %s: %w", t.Comment.Author, err)
			}
			perm = &got
		}
		if *perm < need {
			ok = false
			a.m.commands.WithLabelValues(string(p.spec.verb), "refused").Inc()
			a.reply(ctx, thread, fmt.Sprintf("@%s: %s needs the **%s** permission on %s; you have **%s**.",
				t.Comment.Author, quoteLine(line), need, t.Repo.fullName(), *perm))
			continue
		}
		cmd := p.cmd
		cmd.Thread, cmd.Author, cmd.Permission = thread, t.Comment.Author, *perm
		cmd.CommentID, cmd.CommentURL, cmd.Delivery = t.Comment.ID, t.Comment.URL, t.Delivery
		cmd.Repo = repoInfo(cur, t.Repo)
		drifts, err := a.issueDrifts(ctx, t.Repo.fullName(), t.Issue.Number, t.Issue.URL)
		if err != nil {
			return err
		}
		cmd.Drifts = drifts
		reply, err := a.dispatch(ctx, cmd)
		if err != nil {
			ok = false
			a.m.commands.WithLabelValues(string(cmd.Verb), "failed").Inc()
			a.log.Warn("github: command failed", "repo", t.Repo.fullName(), "issue", t.Issue.Number, "command", line, "err", err)
			a.reply(ctx, thread, fmt.Sprintf("@%s: %s failed: %s", t.Comment.Author, quoteLine(line), err))
			continue
		}
		if reply.Refused {
			ok = false
			a.m.commands.WithLabelValues(string(cmd.Verb), "refused").Inc()
		} else {
			a.m.commands.WithLabelValues(string(cmd.Verb), "ok").Inc()
		}
		if reply.Body != "" {
			a.reply(ctx, thread, reply.Body)
		}
	}
	if ok {
		a.react(ctx, c, owner, name, t.Comment.ID, "rocket")
	} else {
		a.react(ctx, c, owner, name, t.Comment.ID, "confused")
	}
	return nil
}

func (a *App) dispatch(ctx context.Context, cmd Command) (Reply, error) {
	switch cmd.Verb {
	case VerbAccept:
		return a.recon.Accept(ctx, cmd)
	case VerbRevert:
		return a.recon.Revert(ctx, cmd)
	case VerbIgnore:
		return a.recon.Ignore(ctx, cmd)
	case VerbRecheck:
		return a.recon.Recheck(ctx, cmd)
	}
	return Reply{}, fmt.Errorf("no command %q", cmd.Verb)
}

func verbLabel(v Verb) string {
	if _, ok := lookupVerb(string(v)); ok {
		return string(v)
	}
	return "unknown"
}

// quoteLine shows a command as an inline code span.
func quoteLine(line string) string {
	return "`" + strings.ReplaceAll(truncate(line, 200), "`", "'") + "`"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// reply posts a comment in the thread. A reply that cannot be posted is
// logged: the command's work is done either way.
func (a *App) reply(ctx context.Context, t Thread, body string) {
	if len(body) > maxCommentBody {
		body = body[:maxCommentBody-len("\n…")] + "\n…"
	}
	_, _, err := t.Client.GitHub().Issues.CreateComment(ctx, t.Owner, t.Repo, t.Number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		a.log.Warn("github: could not reply", "repo", t.Owner+"/"+t.Repo, "issue", t.Number, "err", ghapi.Wrap("create comment", err))
	}
}

// react puts a reaction on a comment.
func (a *App) react(ctx context.Context, c *ghapi.Client, owner, repo string, comment int64, content string) {
	if _, _, err := c.GitHub().Reactions.CreateIssueCommentReaction(ctx, owner, repo, comment, content); err != nil {
		a.log.Warn("github: could not react", "repo", owner+"/"+repo, "comment", comment, "reaction", content, "err", ghapi.Wrap("create reaction", err))
	}
}

// pullEvent follows a pull request the App opened being closed.
func (a *App) pullEvent(ctx context.Context, t *task) error {
	c := a.gh.Installation(t.Installation)
	drifts, err := a.issueDrifts(ctx, t.Repo.fullName(), t.Pull.Number, t.Pull.URL)
	if err != nil {
		return err
	}
	return a.recon.PullRequestClosed(ctx, PullRequestEvent{
		Thread: Thread{Client: c, Installation: t.Installation, Owner: t.Repo.Owner, Repo: t.Repo.Name,
			Number: t.Pull.Number, IsPull: true, URL: t.Pull.URL},
		Merged: t.Pull.Merged, HeadRef: t.Pull.HeadRef, HeadSHA: t.Pull.HeadSHA, BaseRef: t.Pull.BaseRef,
		MergeSHA: t.Pull.MergeSHA, Body: t.Pull.Body, Sender: t.Sender, Delivery: t.Delivery, Drifts: drifts,
	})
}

// repoInfo is what a Reconciler is told of a repository.
func repoInfo(r *repo, tr *taskRepo) RepoInfo {
	info := RepoInfo{FullName: tr.fullName(), HTMLURL: tr.HTMLURL, DefaultBranch: tr.DefaultBranch}
	if r == nil {
		return info
	}
	info.SHA = r.SHA
	for _, rt := range r.Roots {
		info.Roots = append(info.Roots, RootInfo{Dir: rt.spec.Dir, State: rt.state, Workspace: rt.spec.Workspace,
			VarFiles: rt.spec.VarFiles, BackendConfig: rt.spec.BackendConfig})
	}
	return info
}
