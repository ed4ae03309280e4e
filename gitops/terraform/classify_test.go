package terraform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestClassify(t *testing.T) {
	base := errors.New("exit status 1")
	tests := []struct {
		file string
		want error // the typed error without Err; nil: base comes back
	}{
		{"output/lock-held.txt", &LockHeldError{
			ID: "abc-123", Path: "terraform.tfstate", Operation: "OperationTypeApply", Who: "job-7@host",
			Version: "1.5.7", Created: "2024-01-01 00:00:00 +0000 UTC",
		}},
		{"output/lock-held-s3.txt", &LockHeldError{
			ID: "3b4f1c2e-9d8a-7c6b-5a4f-3e2d1c0b9a87", Path: "acme-tfstate/prod/network.tfstate",
			Operation: "OperationTypePlan", Who: "ci@runner-12", Version: "1.6.6",
			Created: "2024-03-02 10:11:12.123456 +0000 UTC",
		}},
		{"output/auth-aws.txt", &AuthError{
			Provider: "aws", Match: "no valid credential sources",
			Line: "configuring Terraform AWS Provider: no valid credential sources for Terraform AWS Provider found.",
		}},
		{"output/auth-aws-expired.txt", &AuthError{
			Provider: "aws", Match: "ExpiredToken",
			Line: "reading EC2 Instance (i-0123456789abcdef0): operation error EC2: DescribeInstances, https response error StatusCode: 400, RequestID: 6a1b, api error ExpiredToken: The security token included in the request is expired",
		}},
		{"output/auth-google.txt", &AuthError{Provider: "google", Match: "could not find default credentials"}},
		{"output/auth-azure.txt", &AuthError{Provider: "azure", Match: "AADSTS"}},
		{"output/stale.txt", &StalePlanError{}},
		{"output/access-denied.txt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := classify(base, readTestdata(t, tt.file))
			if tt.want == nil {
				if got != base {
					t.Fatalf("classify = %#v, want the error unchanged", got)
				}
				return
			}
			if !errors.Is(got, base) {
				t.Errorf("typed error does not unwrap to the command's error")
			}
			opts := []cmp.Option{cmpopts.IgnoreFields(LockHeldError{}, "Err"), cmpopts.IgnoreFields(AuthError{}, "Err"), cmpopts.IgnoreFields(StalePlanError{}, "Err")}
			if ae, ok := tt.want.(*AuthError); ok && ae.Line == "" {
				opts = append(opts, cmpopts.IgnoreFields(AuthError{}, "Line"))
			}
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("classify (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassifyLeavesCancellation(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", context.Canceled)
	if got := classify(err, "Error acquiring the state lock"); got != err {
		t.Errorf("classify = %v, want the cancellation unchanged", got)
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&LockHeldError{ID: "abc", Who: "job-7@host", Operation: "OperationTypeApply", Created: "2024-01-01"},
			"state lock is held by job-7@host (lock ID abc, operation OperationTypeApply, since 2024-01-01)"},
		{&LockHeldError{}, "state lock is held by another Terraform process"},
		{&UnexpectedChangesError{Target: []string{"aws_instance.app"}, Others: []string{"aws_security_group.web"}},
			"plan for aws_instance.app would also change aws_security_group.web"},
		{&DestructiveChangeError{Address: "aws_security_group.web", Actions: []string{"delete", "create"}, Because: []string{"description"}},
			"plan would replace aws_security_group.web (description cannot be updated in place); not allowed without AllowReplace"},
		{&DestructiveChangeError{Address: "aws_s3_bucket.b", Actions: []string{"delete"}},
			"plan would delete aws_s3_bucket.b; not allowed without AllowDestroy"},
		{&DestructiveChangeError{Address: "aws_s3_bucket.b", Actions: []string{"forget"}},
			"plan would forget (remove from state) aws_s3_bucket.b; not allowed without AllowDestroy"},
		{&AddressNotFoundError{Addresses: []string{"aws_instance.ap"}},
			"no resource aws_instance.ap in this root module's configuration or state"},
		{&VersionError{Binary: "/bin/terraform", Want: ">= 1.5.0", Got: "0.12.31"},
			"/bin/terraform is version 0.12.31, tfdrift needs >= 1.5.0"},
		{&AuthError{Provider: "aws", Line: "no valid credential sources"},
			"aws provider credentials were rejected or not found: no valid credential sources"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%T.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, name := range []string{"output/lock-held.txt", "output/lock-held-s3.txt", "output/auth-aws.txt", "output/stale.txt"} {
		f.Add(readTestdata(f, name))
	}
	f.Add("Lock Info:\n  ID:\n\nError acquiring the state lock")
	f.Add("\u0130\u0130 expiredtoken")
	base := errors.New("exit status 1")
	f.Fuzz(func(t *testing.T, out string) {
		got := classify(base, out)
		if !errors.Is(got, base) {
			t.Fatalf("classify lost the command's error")
		}
		var le *LockHeldError
		if strings.Contains(out, lockHeldMarker) != errors.As(got, &le) {
			t.Fatalf("lock detection disagrees with the marker for %q", out)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	// A long failing apply: a lot of ordinary output, then the error.
	out := strings.Repeat("aws_instance.app: Still modifying... [id=i-0123, 10s elapsed]\n", 2000) +
		readTestdata(b, "output/access-denied.txt")
	base := errors.New("exit status 1")
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		_ = classify(base, out)
	}
}
