package githubapp

import (
	"context"
	"fmt"

	"github.com/tfdrift/tfdrift/app/accept"
	"github.com/tfdrift/tfdrift/app/revert"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// Reconciler carries out the comment commands and follows the pull
// requests the App opened. app/reconcile implements it, behind serve's
// adapter; NotAvailable answers on an App built without one. The App
// has parsed the command, checked the author's permission and reacted
// with eyes before a method runs; it posts the Reply (when its Body is
// set) as a comment, then reacts with rocket, or with confused when the
// Reply is Refused or the method returns an error, whose message it
// posts instead.
//
// Methods are called from the App's workers, one command at a time per
// worker; they must honour ctx and may take minutes (a terraform run).
type Reconciler interface {
	// Accept makes the code match the cloud: /tfdrift accept [ADDRESS…]
	// [--dry-run] [--confirm].
	Accept(ctx context.Context, c Command) (Reply, error)
	// Revert puts the cloud back as the code says: /tfdrift revert
	// [ADDRESS…] [--dry-run] [--allow-destroy] [--allow-replace].
	Revert(ctx context.Context, c Command) (Reply, error)
	// Ignore marks the drift intended: /tfdrift ignore [ADDRESS…]
	// [--attr A]… [--for 7d].
	Ignore(ctx context.Context, c Command) (Reply, error)
	// Recheck looks at the resource again: /tfdrift recheck [ADDRESS…].
	Recheck(ctx context.Context, c Command) (Reply, error)
	// PullRequestClosed follows a pull request the App opened being
	// merged or closed.
	PullRequestClosed(ctx context.Context, e PullRequestEvent) error
}

// Verb is a command's first word.
type Verb string

// The commands.
const (
	VerbAccept  Verb = "accept"
	VerbRevert  Verb = "revert"
	VerbIgnore  Verb = "ignore"
	VerbRecheck Verb = "recheck"
	VerbHelp    Verb = "help"
)

// Thread is where a command was written or a pull request lives: an
// issue or pull request the App opened, and the installation client that
// acts on its repository.
type Thread struct {
	Client       *ghapi.Client
	Installation int64
	Owner, Repo  string
	Number       int
	// IsPull is set for a pull request (its conversation is an issue).
	IsPull bool
	URL    string
	Title  string
}

// Command is one "/tfdrift <verb> …" line of a comment, parsed and
// permitted.
type Command struct {
	Verb Verb
	// Line is the line as written, from "/tfdrift".
	Line string
	// Args are the positional arguments: resource addresses, when given.
	Args []string
	// Accept and Revert hold the flags of the accept and revert jobs'
	// RegisterShared, Ignore those of /tfdrift ignore, parsed from the
	// line (the zero value for the other verbs).
	Accept accept.Args
	Revert revert.Args
	Ignore IgnoreArgs
	Thread Thread
	// Author wrote the comment; Permission is their role on the
	// repository (at least what the verb needs).
	Author     string
	Permission ghapi.Permission
	CommentID  int64
	CommentURL string
	Delivery   string
	// Drifts are the records the issue or pull request tracks, found by
	// its receipts, newest first.
	Drifts []store.Record
	// Repo is the repository as discovery knows it: the default branch,
	// the commit its .tfdrift.yml and code were read at, and its roots.
	Repo RepoInfo
}

// RepoInfo is what discovery knows of a repository, for a Reconciler.
type RepoInfo struct {
	FullName, HTMLURL, DefaultBranch string
	// SHA is the commit whose .tfdrift.yml and code are in use ("" when
	// none loaded).
	SHA   string
	Roots []RootInfo
}

// RootInfo is one root of .tfdrift.yml.
type RootInfo struct {
	Dir, State, Workspace   string
	VarFiles, BackendConfig []string
}

// Reply is what a command answers in the thread.
type Reply struct {
	// Body is Markdown; empty posts no comment (the reaction says it).
	Body string
	// Refused is set when the command could not or would not do what
	// was asked (nothing to edit, revert not configured, a guard): Body
	// says why, and the comment gets the confused reaction.
	Refused bool
}

// BranchFollower is a Reconciler that also follows a repository's
// default branch moving on: the App calls DefaultBranchMoved after a
// push to it has been discovered (Thread names the repository; its
// Number is 0). app/reconcile updates the accept pull requests that
// now conflict. It runs on discovery's worker, so it should hand long
// work off and return.
type BranchFollower interface {
	DefaultBranchMoved(ctx context.Context, t Thread) error
}

// PullRequestEvent is a pull request the App opened being closed.
type PullRequestEvent struct {
	Thread   Thread
	Merged   bool
	HeadRef  string
	HeadSHA  string
	BaseRef  string
	MergeSHA string
	// Body is the pull request's description, with the App's marker.
	Body     string
	Sender   string
	Delivery string
	// Drifts are the records the pull request tracks, by its receipts.
	Drifts []store.Record
}

// NotAvailable is the Reconciler of a server without app/reconcile:
// every command answers that it is not available here yet.
type NotAvailable struct{}

// ErrNotAvailable is what NotAvailable's methods return, wrapped with
// the verb.
var ErrNotAvailable = fmt.Errorf("not available on this server yet")

func (NotAvailable) unavailable(v Verb) (Reply, error) {
	return Reply{}, fmt.Errorf("/tfdrift %s is %w", v, ErrNotAvailable)
}

// Accept is not available.
func (n NotAvailable) Accept(context.Context, Command) (Reply, error) {
	return n.unavailable(VerbAccept)
}

// Revert is not available.
func (n NotAvailable) Revert(context.Context, Command) (Reply, error) {
	return n.unavailable(VerbRevert)
}

// Ignore is not available.
func (n NotAvailable) Ignore(context.Context, Command) (Reply, error) {
	return n.unavailable(VerbIgnore)
}

// Recheck is not available.
func (n NotAvailable) Recheck(context.Context, Command) (Reply, error) {
	return n.unavailable(VerbRecheck)
}

// PullRequestClosed does nothing.
func (NotAvailable) PullRequestClosed(context.Context, PullRequestEvent) error { return nil }
