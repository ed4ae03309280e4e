package s3backend

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSTS answers AssumeRole for the roles it knows with credentials whose
// key ID names the role's account, and records every request's form.
type fakeSTS struct {
	URL   string
	mu    sync.Mutex
	calls []map[string]string
}

func newFakeSTS(t *testing.T, roles map[string]string) *fakeSTS {
	f := &fakeSTS{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		call := map[string]string{"method": r.Method, "signedBy": accessKeyOf(r)}
		for _, k := range []string{"Action", "Version", "RoleArn", "RoleSessionName", "ExternalId"} {
			call[k] = r.PostForm.Get(k)
		}
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		keyID, ok := roles[call["RoleArn"]]
		if !ok {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>`+
				`<Message>not authorized to assume role</Message></Error><RequestId>r1</RequestId></ErrorResponse>`)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials>`+
			`<AccessKeyId>%s</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>`+
			`<SessionToken>token-%s</SessionToken><Expiration>%s</Expiration>`+
			`</Credentials><AssumedRoleUser><Arn>%s/tfdrift</Arn><AssumedRoleId>AROA1:tfdrift</AssumedRoleId></AssumedRoleUser>`+
			`</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			keyID, keyID, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), call["RoleArn"])
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeSTS) recorded() []map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]string(nil), f.calls...)
}

func TestAssumeRole(t *testing.T) {
	const (
		devRole  = "arn:aws:iam::123456789012:role/TFDriftMonitor"
		prodRole = "arn:aws:iam::789012345678:role/TFDriftMonitor"
	)
	sts := newFakeSTS(t, map[string]string{devRole: "ASIADEV", prodRole: "ASIAPROD"})
	fake := newFakeS3(t)
	fake.put(t, "terraform.tfstate", []byte(`{"version":4}`))
	fake.put(t, "env:/blue/terraform.tfstate", []byte(`{"version":4}`))

	newRoleBackend := func(role, externalID string) *Backend {
		cfg := fake.config("terraform.tfstate")
		cfg.RoleARN = role
		cfg.ExternalID = externalID
		cfg.STSEndpoint = sts.URL
		return newBackend(t, cfg)
	}
	ctx := context.Background()
	dev := newRoleBackend(devRole, "")
	prod := newRoleBackend(prodRole, "ext-42")

	skip := len(fake.requests())
	// Two reads and a workspace listing per backend, plus a read of another
	// workspace through ForWorkspace: each role is assumed once and its
	// credentials are reused, also by the workspace's backend.
	for _, b := range []*Backend{dev, prod} {
		_, etag, err := b.Fetch(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Fetch(ctx, etag); err == nil {
			t.Fatal("second Fetch of an unchanged object: want ErrNotModified")
		}
		if _, err := b.Workspaces(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.ForWorkspace("blue").Fetch(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}

	want := []map[string]string{
		{"method": "POST", "signedBy": baseKeyID, "Action": "AssumeRole", "Version": "2011-06-15",
			"RoleArn": devRole, "RoleSessionName": "tfdrift", "ExternalId": ""},
		{"method": "POST", "signedBy": baseKeyID, "Action": "AssumeRole", "Version": "2011-06-15",
			"RoleArn": prodRole, "RoleSessionName": "tfdrift", "ExternalId": "ext-42"},
	}
	if diff := cmp.Diff(want, sts.recorded()); diff != "" {
		t.Errorf("AssumeRole requests (-want +got):\n%s", diff)
	}
	var signers []string
	for _, r := range fake.requests()[skip:] {
		signers = append(signers, r.accessKey)
	}
	wantSigners := strings.Fields(strings.Repeat("ASIADEV ", 5) + strings.Repeat("ASIAPROD ", 5))
	if diff := cmp.Diff(wantSigners, signers); diff != "" {
		t.Errorf("S3 requests signed by (-want +got):\n%s", diff)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	sts := newFakeSTS(t, nil)
	fake := newFakeS3(t)
	fake.put(t, "terraform.tfstate", []byte(`{"version":4}`))
	cfg := fake.config("terraform.tfstate")
	cfg.RoleARN = "arn:aws:iam::111111111111:role/Unknown"
	cfg.STSEndpoint = sts.URL
	b := newBackend(t, cfg)
	skip := len(fake.requests())

	_, _, err := b.Fetch(context.Background(), "")
	if err == nil {
		t.Fatal("Fetch with a role that cannot be assumed succeeded")
	}
	for _, want := range []string{"s3://tfstate/terraform.tfstate", "AssumeRole", "AccessDenied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if n := len(fake.requests()) - skip; n != 0 {
		t.Errorf("S3 saw %d requests without credentials; want none", n)
	}
}
