package githubapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/ticket"
)

// issueEvent follows a person closing or reopening a drift issue: closed,
// its open drifts are ignored (until the resource drifts again, which is
// another drift); reopened, its ignored drifts are open again. The App's
// own close (a drift resolved) and other bots' are not a person's
// decision and were filtered out before.
func (a *App) issueEvent(ctx context.Context, t *task) error {
	var to store.Status
	var from []store.Status
	var verb string
	switch t.Action {
	case "closed":
		to, from, verb = store.StatusIgnored, []store.Status{store.StatusOpen, store.StatusAcknowledged}, "closed"
	case "reopened":
		to, from, verb = store.StatusOpen, []store.Status{store.StatusIgnored}, "reopened"
	default:
		return nil
	}
	recs, err := a.issueDrifts(ctx, t.Repo.fullName(), t.Issue.Number, t.Issue.URL)
	if err != nil {
		return err
	}
	note := fmt.Sprintf("%s GitHub issue %s#%d", verb, t.Repo.fullName(), t.Issue.Number)
	actor := "github:" + t.Sender
	var errs []error
	moved := 0
	for _, rec := range recs {
		if !slices.Contains(from, rec.Status) {
			continue
		}
		if _, err := a.o.Store.Transition(ctx, rec.Fingerprint, to, actor, note); err != nil {
			var te *store.TransitionError
			if !errors.As(err, &te) { // another replica moved it first: fine
				errs = append(errs, err)
			}
			continue
		}
		moved++
		a.m.lifecycle.WithLabelValues(string(to)).Inc()
	}
	a.log.Info("github: issue "+verb+" by a person", "repo", t.Repo.fullName(), "issue", t.Issue.Number,
		"sender", t.Sender, "drifts", len(recs), "moved_to_"+string(to), moved)
	return errors.Join(errs...)
}

// issueDrifts returns the drift records an issue (or pull request) of
// the App tracks, newest receipt first: every drift whose GitHub notice
// left a receipt naming it.
func (a *App) issueDrifts(ctx context.Context, fullName string, number int, url string) ([]store.Record, error) {
	seen := map[string]bool{}
	var out []store.Record
	// The sink names an issue by its number within the repository, or
	// as owner/name#number; the URL tells repositories apart.
	for _, id := range []string{fmt.Sprintf("%s#%d", fullName, number), strconv.Itoa(number), url} {
		rs, err := a.o.Store.ReceiptsByExternalID(ctx, ticket.TypeGitHub, id)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if seen[r.Fingerprint] || r.URL != "" && url != "" && r.URL != url {
				continue
			}
			seen[r.Fingerprint] = true
			rec, err := a.o.Store.Get(ctx, r.Fingerprint)
			if errors.Is(err, store.ErrNotFound) {
				continue // a storm group's receipt, or a pruned record
			}
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
	}
	return out, nil
}
