package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The store's part in reconciliation (the GitHub App's accept pull
// requests and comment commands): leases that keep two replicas off one
// root module, the values people chose to ignore, and the accept pull
// requests with the drifts each holds.

// Locks are named leases shared by every replica of one store. A lease
// lasts until its holder releases it or its time runs out (the holder
// died or hung); a long job renews it.
type Locks interface {
	// TryLock takes the lease name for holder (a person-readable "revert
	// of aws_instance.web by @alice") for ttl. When another holder has it
	// and its time has not run out, it fails at once with a *LockedError
	// naming that holder.
	TryLock(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error)
	// RenewLock extends a lease its holder still has for ttl from now;
	// ErrLockLost when it ran out and someone else took it, or it was
	// released.
	RenewLock(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// Unlock releases a lease. Releasing one that is no longer the
	// caller's (ran out and taken by another) changes nothing and
	// returns ErrLockLost.
	Unlock(ctx context.Context, l Lease) error
}

// Lease is a held lock. Token tells this holding apart from any later
// holding of the same name.
type Lease struct {
	Name, Holder, Token string
	AcquiredAt          time.Time
	ExpiresAt           time.Time
}

// LockedError is TryLock's answer when someone else holds the lock.
type LockedError struct {
	Name   string
	Holder string
	// Since is when the holder took it, Until when its lease runs out
	// unless renewed.
	Since, Until time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("lock %s is held by %s since %s (until %s unless renewed)",
		e.Name, e.Holder, e.Since.UTC().Format(time.RFC3339), e.Until.UTC().Format(time.RFC3339))
}

// ErrLockLost: the caller no longer holds the lease it renews or
// releases.
var ErrLockLost = errors.New("lock lease lost")

// Ignores keep the drifted values people chose to ignore ("/tfdrift
// ignore"), per resource and attribute, optionally expiring. The GitHub
// App's pipeline hook drops an attribute whose actual value is ignored,
// so the same drift stays quiet while a new value is reported.
type Ignores interface {
	// AddIgnores records ignores (ResourceKey, Attribute and ValueHash
	// are required); CreatedAt is the store's clock.
	AddIgnores(ctx context.Context, ignores ...Ignore) error
	// ActiveIgnores returns the ignores of a resource that have not
	// expired by the store's clock, oldest first.
	ActiveIgnores(ctx context.Context, resourceKey string) ([]Ignore, error)
	// PruneIgnores deletes ignores that expired before olderThan and
	// returns how many.
	PruneIgnores(ctx context.Context, olderThan time.Time) (int64, error)
}

// Ignore is one ignored value of one attribute of one resource.
type Ignore struct {
	ID int64
	// ResourceKey is ticket.ResourceKey of the drift; it may hold NUL
	// bytes, which round-trip.
	ResourceKey string
	Attribute   string
	// ValueHash identifies the ignored actual value (its canonical JSON,
	// hashed by the caller).
	ValueHash string
	// Fingerprint is the drift it was recorded from; Actor and Note say
	// who and why.
	Fingerprint string
	Actor, Note string
	CreatedAt   time.Time
	// ExpiresAt is zero for an ignore that never expires.
	ExpiresAt time.Time
}

// Pulls keep the GitHub App's accept pull requests: which resource each
// is for and which drifts its edit holds.
type Pulls interface {
	// PutPull records p, replacing the record of the same (Repo,
	// Number); CreatedAt is kept, UpdatedAt is the store's clock.
	PutPull(ctx context.Context, p PullRecord) error
	// GetPull returns the record of a pull request, or ErrNotFound.
	GetPull(ctx context.Context, repo string, number int) (PullRecord, error)
	// OpenPullFor returns the open accept pull request of a resource (its
	// state source and address) in repo, or ErrNotFound.
	OpenPullFor(ctx context.Context, repo, stateKey, address string) (PullRecord, error)
	// OpenPulls returns repo's open accept pull requests, oldest first.
	OpenPulls(ctx context.Context, repo string) ([]PullRecord, error)
}

// PullStatus is where an accept pull request is.
type PullStatus string

// Pull request statuses.
const (
	PullOpen   PullStatus = "open"
	PullMerged PullStatus = "merged"
	PullClosed PullStatus = "closed"
)

// PullRecord is one accept pull request.
type PullRecord struct {
	// Repo is "owner/name" (compared without case); Number the pull
	// request's number; Branch its head branch.
	Repo   string
	Number int
	Branch string
	// StateKey and Address are the drifted resource's (the drift issue's
	// marker); Root its root module directory.
	StateKey, Address, Root string
	// Issue is the drift issue the pull request closes (0: none known).
	Issue int
	// BaseSHA is the default branch commit the edit was made on; HeadSHA
	// the branch's commit.
	BaseSHA, HeadSHA string
	// Fingerprints are the drifts folded into the edit.
	Fingerprints []string
	Status       PullStatus
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
