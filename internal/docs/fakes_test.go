package docs

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// sinkhole is one stateful HTTP fake for every HTTP sink: Slack incoming
// webhooks, webhooks, PagerDuty's Events API and Jira's REST API. It keeps
// every request with what identifies it (method, path, credentials,
// custom headers, body) and answers as each service does.
type sinkhole struct {
	URL string

	mu   sync.Mutex
	reqs []string
	// jiraIssue, when set, is an open issue every Jira search finds.
	jiraIssue string
	// slow delays the /slow path.
	slow time.Duration
}

func newSinkhole(t *testing.T) *sinkhole {
	s := &sinkhole{slow: 300 * time.Millisecond}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *sinkhole) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var hdr []string
	for k, v := range r.Header {
		if strings.HasPrefix(k, "X-") {
			hdr = append(hdr, strings.ToLower(k)+"="+strings.Join(v, ","))
		}
	}
	sort.Strings(hdr)
	line := r.Method + " " + r.URL.Path
	if a := r.Header.Get("Authorization"); a != "" {
		line += " auth=" + a
	}
	if len(hdr) > 0 {
		line += " " + strings.Join(hdr, " ")
	}
	line += " body=" + string(body)
	s.mu.Lock()
	s.reqs = append(s.reqs, line)
	issue, slow := s.jiraIssue, s.slow
	s.mu.Unlock()

	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/slow"):
		time.Sleep(slow)
	case strings.Contains(p, "/rest/api/2/search"):
		issues := []any{}
		if issue != "" {
			issues = append(issues, map[string]any{"id": "10001", "key": issue, "fields": map[string]any{"description": "", "comment": map[string]any{"comments": []any{}}}})
		}
		writeJSON(w, http.StatusOK, map[string]any{"startAt": 0, "maxResults": 10, "total": len(issues), "isLast": true, "issues": issues})
		return
	case strings.HasSuffix(p, "/transitions") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"transitions": []any{
			map[string]any{"id": "21", "name": "Done", "to": map[string]any{"name": "Done"}},
			map[string]any{"id": "31", "name": "Resolved", "to": map[string]any{"name": "Resolved"}}}})
		return
	case strings.HasSuffix(p, "/transitions"):
		w.WriteHeader(http.StatusNoContent)
		return
	case strings.HasSuffix(p, "/rest/api/2/issue"):
		writeJSON(w, http.StatusCreated, map[string]any{"id": "10001", "key": "OPS-1"})
		return
	case strings.HasSuffix(p, "/comment"):
		writeJSON(w, http.StatusCreated, map[string]any{"id": "1"})
		return
	case strings.HasSuffix(p, "/v2/enqueue"):
		writeJSON(w, http.StatusAccepted, map[string]any{"status": "success", "message": "Event processed", "dedup_key": "k"})
		return
	}
	io.WriteString(w, "ok")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// take returns the requests received since the last take.
func (s *sinkhole) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := strings.Join(s.reqs, "\n")
	s.reqs = nil
	return out
}

// smtpFake is a minimal SMTP server: enough for net/smtp's client, with
// AUTH PLAIN and without STARTTLS. It keeps each conversation's commands,
// with the AUTH credentials decoded.
type smtpFake struct {
	Host string
	Port int

	mu  sync.Mutex
	log []string
}

func newSMTPFake(t *testing.T) *smtpFake {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &smtpFake{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *smtpFake) note(s string) {
	f.mu.Lock()
	f.log = append(f.log, s)
	f.mu.Unlock()
}

func (f *smtpFake) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			say("250-fake")
			say("250 AUTH PLAIN")
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 {
				raw, _ := base64.StdEncoding.DecodeString(parts[2])
				f.note("AUTH " + strings.ReplaceAll(strings.TrimPrefix(string(raw), "\x00"), "\x00", ":"))
			}
			say("235 ok")
		case "DATA":
			say("354 go on")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			f.note("DATA " + strings.Split(msg.String(), "\r\n\r\n")[0])
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			f.note(line)
			say("250 ok")
		}
	}
}

func (f *smtpFake) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := strings.Join(f.log, "\n")
	f.log = nil
	return out
}

// stsFake answers AssumeRole, as AWS STS does, and keeps each role asked
// for. AWS_ENDPOINT_URL_STS points the SDK at it.
type stsFake struct {
	URL string

	mu    sync.Mutex
	roles []string
}

func newSTSFake(t *testing.T) *stsFake {
	f := &stsFake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q, _ := url.ParseQuery(string(body))
		if q.Get("Action") != "AssumeRole" || !strings.Contains(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
			http.Error(w, "want a signed AssumeRole", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.roles = append(f.roles, q.Get("RoleArn"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAFAKE</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>%s/tfdrift</Arn><AssumedRoleId>AROAFAKE:tfdrift</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339), q.Get("RoleArn"))
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *stsFake) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := ""
	for _, r := range f.roles {
		out += "assumed=" + r + "\n"
	}
	f.roles = nil
	return out
}

// googleCredentials writes a service-account key whose token URI is a
// local fake, so a Cloud Storage client with default credentials works
// offline against fake-gcs-server.
func googleCredentials(t *testing.T, dir string) string {
	t.Helper()
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "fake-token", "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(tokens.Close)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "my-project-123", "private_key_id": "1",
		"private_key": string(pemKey), "client_email": "tfdrift@my-project-123.iam.gserviceaccount.com",
		"client_id": "1", "token_uri": tokens.URL + "/token",
	})
	path := filepath.Join(dir, "gcp-sa.json")
	if err := os.WriteFile(path, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clientPKI writes a CA, and a client certificate and key it signed, for
// Falco's gRPC over TCP (always mutual TLS).
func clientPKI(t *testing.T, dir string) (cert, key, ca string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cliKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cliTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "tfdrift"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	cliDER, err := x509.CreateCertificate(rand.Reader, cliTmpl, caTmpl, &cliKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(cliKey)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("client.crt", "CERTIFICATE", cliDER), write("client.key", "EC PRIVATE KEY", keyDER), write("ca.crt", "CERTIFICATE", caDER)
}

var _ = bytes.NewReader
