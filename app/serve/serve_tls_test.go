package serve

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
)

type testPKI struct {
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	caPEM []byte
	dir   string
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tfdrift test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return &testPKI{ca: ca, caKey: key, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), dir: t.TempDir()}
}

// issue writes a leaf certificate and key signed by the CA; it returns the
// file paths and the tls.Certificate.
func (p *testPKI) issue(t *testing.T, name string, usage x509.ExtKeyUsage) (string, string, tls.Certificate) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	cf, kf := filepath.Join(p.dir, name+".crt"), filepath.Join(p.dir, name+".key")
	os.WriteFile(cf, certPEM, 0o600)
	os.WriteFile(kf, keyPEM, 0o600)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cf, kf, pair
}

// TestServeMutualTLS: on a non-loopback-style set-up without a shared
// secret, /falco is protected by client certificates: a client with one
// gets 202, a client without one cannot even finish the handshake.
func TestServeMutualTLS(t *testing.T) {
	sc := extract(t)
	pki := newPKI(t)
	caFile := filepath.Join(pki.dir, "ca.crt")
	os.WriteFile(caFile, pki.caPEM, 0o600)
	certFile, keyFile, _ := pki.issue(t, "server", x509.ExtKeyUsageServerAuth)
	_, _, client := pki.issue(t, "falco", x509.ExtKeyUsageClientAuth)

	started := make(chan string, 1)
	hook := func(a *Args) { a.Started = func(addr string) { started <- addr } }
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	env := job.Env{Stdout: out, Stderr: errb}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runArgs(ctx, env, []string{"--listen", "127.0.0.1:0", "--state", sc.State, "--format", "json", "--database", "memory",
			"--tls-cert", certFile, "--tls-key", keyFile, "--tls-client-ca", caFile}, hook)
	}()
	var addr string
	select {
	case addr = <-started:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	roots := x509.NewCertPool()
	roots.AddCert(pki.ca)
	alert, _ := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	post := func(certs []tls.Certificate) (int, error) {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
		resp, err := c.Post("https://"+addr+"/falco", "application/json", bytes.NewReader(alert))
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := post([]tls.Certificate{client}); err != nil || code != http.StatusAccepted {
		t.Errorf("with a client certificate: %d %v", code, err)
	}
	if _, err := post(nil); err == nil {
		t.Error("a client without a certificate got through")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if !strings.Contains(out.String(), "workers[1]") {
		t.Errorf("no drift from the mTLS client: %q", out.String())
	}
	if r := runServe(t, "--state", sc.State, "--tls-client-ca", caFile); r.code != 1 || !strings.Contains(r.stderr, "--tls-client-ca needs --tls-cert") {
		t.Errorf("client CA without a certificate: %+v", r)
	}
}
