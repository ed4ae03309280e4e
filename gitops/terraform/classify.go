package terraform

import (
	"context"
	"errors"
	"strings"
)

// lockHeldMarker is the summary of the diagnostic every backend returns
// when the state lock is taken (internal/command/clistate in Terraform and
// OpenTofu).
const lockHeldMarker = "Error acquiring the state lock"

// stalePlanMarker starts Terraform's error for a saved plan whose state
// serial no longer matches.
const stalePlanMarker = "Saved plan is stale"

// authPattern is one credential-failure message. Matching is
// case-insensitive on a substring, so each pattern is specific enough not
// to appear in ordinary plan output.
type authPattern struct {
	provider string
	text     string
	lower    string // text in lower case, filled in by init
}

// authPatterns are the credential failures of the providers and backends
// tfdrift meets most, taken from their documented error messages. Generic
// HTTP statuses are deliberately absent: "403" or "AccessDenied" on one
// resource is a permission problem of that resource, not of the
// credentials, and tfdrift must report it as the Terraform error it is.
var authPatterns = []authPattern{
	// AWS SDK and provider, S3 backend.
	{provider: "aws", text: "no valid credential sources"},
	{provider: "aws", text: "NoCredentialProviders"},
	{provider: "aws", text: "failed to refresh cached credentials"},
	{provider: "aws", text: "failed to retrieve credentials"},
	{provider: "aws", text: "InvalidClientTokenId"},
	{provider: "aws", text: "ExpiredToken"},
	{provider: "aws", text: "security token included in the request is expired"},
	{provider: "aws", text: "security token included in the request is invalid"},
	{provider: "aws", text: "SignatureDoesNotMatch"},
	{provider: "aws", text: "UnrecognizedClientException"},
	{provider: "aws", text: "AuthFailure"},
	{provider: "aws", text: "validating provider credentials"},
	// Google provider and GCS backend.
	{provider: "google", text: "could not find default credentials"},
	{provider: "google", text: "oauth2: cannot fetch token"},
	{provider: "google", text: "invalid_grant"},
	{provider: "google", text: "Request had invalid authentication credentials"},
	{provider: "google", text: "code = Unauthenticated"},
	// azurerm provider and backend.
	{provider: "azure", text: "AADSTS"},
	{provider: "azure", text: "unable to build authorizer"},
	{provider: "azure", text: "Please run 'az login'"},
	// Terraform Cloud / remote backends, any provider that says so.
	{provider: "", text: "401 Unauthorized"},
	{provider: "", text: "invalid credentials"},
}

func init() {
	for i := range authPatterns {
		authPatterns[i].lower = strings.ToLower(authPatterns[i].text)
	}
}

// classify turns a failed command's error into a typed error when the
// output says why it failed. out is what Terraform printed: stderr, and
// the diagnostics of a -json run (which go to stdout). Context
// cancellation is never reinterpreted.
func classify(err error, out string) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if i := strings.Index(out, lockHeldMarker); i >= 0 {
		e := parseLockInfo(out[i:])
		e.Err = err
		return e
	}
	if strings.Contains(out, stalePlanMarker) {
		return &StalePlanError{Err: err}
	}
	if a := matchAuth(out); a != nil {
		a.Err = err
		return a
	}
	return err
}

// parseLockInfo reads the "Lock Info:" block Terraform prints under the
// lock error:
//
//	Lock Info:
//	  ID:        2c0b7f5e-…
//	  Path:      terraform.tfstate
//	  Operation: OperationTypeApply
//	  Who:       runner@host
//	  Version:   1.5.7
//	  Created:   2024-01-01 00:00:00 +0000 UTC
//	  Info:
//
// Missing fields stay empty: some backends print no lock info. Output
// captured from a coloured run, where each line starts with "│", is read
// the same way.
func parseLockInfo(out string) *LockHeldError {
	e := &LockHeldError{}
	i := strings.Index(out, "Lock Info:")
	if i < 0 {
		return e
	}
	fields := map[string]*string{
		"ID": &e.ID, "Path": &e.Path, "Operation": &e.Operation, "Who": &e.Who,
		"Version": &e.Version, "Created": &e.Created, "Info": &e.Info,
	}
	for line := range strings.Lines(out[i+len("Lock Info:"):]) {
		// Colour output frames diagnostics with "│ ".
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "│"))
		if line == "" {
			// The block ends at the first blank line after a field.
			if e.ID != "" || e.Who != "" || e.Path != "" {
				break
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		dst, known := fields[k]
		if !ok || !known {
			break
		}
		if *dst == "" {
			*dst = strings.TrimSpace(v)
		}
	}
	return e
}

// matchAuth finds the first credential-failure pattern in out.
func matchAuth(out string) *AuthError {
	lower := strings.ToLower(out)
	for _, p := range authPatterns {
		i := strings.Index(lower, p.lower)
		if i < 0 {
			continue
		}
		return &AuthError{Provider: p.provider, Match: p.text, Line: lineAround(out, i)}
	}
	return nil
}

// lineAround returns the trimmed line of s that holds byte offset i.
// Offsets come from strings.ToLower(s), which can change byte lengths for
// some non-ASCII text; the bounds checks keep that from panicking.
func lineAround(s string, i int) string {
	if i > len(s) {
		i = len(s)
	}
	start := strings.LastIndexByte(s[:i], '\n') + 1
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		end = len(s)
	} else {
		end += i
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[start:end]), "Error:"))
}
