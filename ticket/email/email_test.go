package email_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/email"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// testCert is a self-signed certificate for 127.0.0.1 and its pool.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "tfdrift test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// mailbox is a go-smtp backend that requires STARTTLS before AUTH PLAIN,
// checks the credentials, and keeps every accepted message.
type mailbox struct {
	user, pass string

	mu       sync.Mutex
	messages []received
	// rcptErr, when set, rejects recipients (fault injection).
	rcptErr *smtp.SMTPError
}

type received struct {
	From   string
	To     []string
	Data   []byte
	TLS    bool
	AuthAs string
}

func (mb *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{mb: mb, conn: c}, nil
}

type session struct {
	mb   *mailbox
	conn *smtp.Conn
	msg  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if _, ok := s.conn.TLSConnectionState(); !ok {
			return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
		}
		if username != s.mb.user || password != s.mb.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.msg.AuthAs = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.msg.AuthAs == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mb.mu.Lock()
	defer s.mb.mu.Unlock()
	if s.mb.rcptErr != nil {
		return s.mb.rcptErr
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.msg.TLS = s.conn.TLSConnectionState()
	s.msg.Data = b
	s.mb.mu.Lock()
	s.mb.messages = append(s.mb.messages, s.msg)
	s.mb.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.msg = received{AuthAs: s.msg.AuthAs} }
func (s *session) Logout() error { return nil }

// startSMTP serves mb on 127.0.0.1 with STARTTLS (when cert is given).
func startSMTP(t *testing.T, mb *mailbox, cert *tls.Certificate) (host string, port int) {
	t.Helper()
	srv := smtp.NewServer(mb)
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = nopLogger{}
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	pn, _ := strconv.Atoi(p)
	return h, pn
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

var fixedNow = func() time.Time { return time.Date(2025, 1, 20, 14, 32, 20, 0, time.UTC) }

func newSink(t *testing.T, host string, port int, pool *x509.CertPool, mut ...func(*email.Options)) *email.Sink {
	t.Helper()
	o := email.Options{
		Host: host, Port: port, Username: "tfdrift", Password: "p4ss", StartTLS: true,
		From: "tfdrift <drift@example.com>", To: []string{"platform@example.com", "security@example.com"},
		TLSConfig: &tls.Config{RootCAs: pool}, Now: fixedNow,
		CodeLink: ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "acme", Repo: "infra", Ref: "main"},
	}
	for _, m := range mut {
		m(&o)
	}
	s, err := email.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parts reads a received message back: headers, text and HTML.
func parts(t *testing.T, raw []byte) (mail.Header, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var text, html string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("part %s is not quoted-printable", p.Header.Get("Content-Type"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		switch p.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			text = strings.ReplaceAll(string(b), "\r\n", "\n")
		case "text/html; charset=utf-8":
			html = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
	return msg.Header, text, html
}

func TestSendSTARTTLSAndAuth(t *testing.T) {
	cert, pool := testCert(t)
	mb := &mailbox{user: "tfdrift", pass: "p4ss"}
	host, port := startSMTP(t, mb, &cert)
	s := newSink(t, host, port, pool)
	d := sample.Hostile()
	n := &ticket.Notice{Sink: "email", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
	rc, err := s.Send(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if len(mb.messages) != 1 {
		t.Fatalf("%d messages, want 1", len(mb.messages))
	}
	got := mb.messages[0]
	if !got.TLS || got.AuthAs != "tfdrift" || got.From != "drift@example.com" {
		t.Errorf("envelope: TLS %v, auth %q, from %q", got.TLS, got.AuthAs, got.From)
	}
	if diff := cmp.Diff([]string{"platform@example.com", "security@example.com"}, got.To); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	h, text, html := parts(t, got.Data)
	want, err := s.Render(n)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != want.Subject {
		t.Errorf("Subject %q (%v), want %q", subject, err, want.Subject)
	}
	if text != want.Text || html != want.HTML {
		t.Errorf("bodies changed in transit")
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("HTML part does not escape drift values")
	}
	if h.Get("Message-ID") != "<"+want.ID+">" || h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: %v", h)
	}
	if diff := cmp.Diff(ticket.Receipt{System: "email", ExternalID: want.ID}, rc); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
}

func TestSendRefusals(t *testing.T) {
	cert, pool := testCert(t)
	ctx := context.Background()
	d := sample.SecurityGroup()
	n := &ticket.Notice{Sink: "email", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}

	// A server without STARTTLS: refused before any credentials go out.
	plain := &mailbox{user: "tfdrift", pass: "p4ss"}
	host, port := startSMTP(t, plain, nil)
	if err := errOf(newSink(t, host, port, pool).Send(ctx, n)); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("no STARTTLS: %v; want permanent", err)
	}

	mb := &mailbox{user: "tfdrift", pass: "p4ss"}
	host, port = startSMTP(t, mb, &cert)
	wrongPass := newSink(t, host, port, pool, func(o *email.Options) { o.Password = "nope" })
	if err := errOf(wrongPass.Send(ctx, n)); !ticket.IsPermanent(err) {
		t.Errorf("bad password: %v; want permanent (535)", err)
	}
	untrusted := newSink(t, host, port, x509.NewCertPool())
	if err := errOf(untrusted.Send(ctx, n)); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unverified certificate: %v; want permanent", err)
	}
	s := newSink(t, host, port, pool)
	mb.rcptErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	if err := errOf(s.Send(ctx, n)); err == nil || ticket.IsPermanent(err) {
		t.Errorf("451: %v; want transient", err)
	}
	mb.rcptErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	if err := errOf(s.Send(ctx, n)); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "no such user") {
		t.Errorf("550: %v; want permanent", err)
	}
	mb.rcptErr = nil
	if err := errOf(s.Send(ctx, n)); err != nil || len(mb.messages) != 1 {
		t.Errorf("after recovery: %v, %d messages", err, len(mb.messages))
	}
	closed := newSink(t, "127.0.0.1", 1, pool)
	if err := errOf(closed.Send(ctx, n)); err == nil || ticket.IsPermanent(err) {
		t.Errorf("connection refused: %v; want transient", err)
	}
	for _, o := range []email.Options{
		{},
		{Host: "h", From: "not an address", To: []string{"a@b"}},
		{Host: "h", From: "a@b"},
		{Host: "h", From: "a@b", To: []string{"@"}},
		{Host: "h", From: "a@b", To: []string{"c@d"}, Port: 70000},
	} {
		if _, err := email.New(o); err == nil {
			t.Errorf("New(%+v) accepted it", o)
		}
	}
}

func TestRenderGolden(t *testing.T) {
	r := &email.Renderer{CodeLink: ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "acme", Repo: "infra", Ref: "main"}}
	sg := sample.SecurityGroup()
	cases := map[string]*ticket.Notice{
		"security-group": {Sink: "email", Kind: ticket.KindDrift, Drift: sg, Fingerprint: sg.Fingerprint, Priority: "p1"},
		"instance-type":  {Sink: "email", Kind: ticket.KindDrift, Drift: sample.InstanceType(), Fingerprint: "fp"},
		"hostile":        {Sink: "email", Kind: ticket.KindDrift, Drift: sample.Hostile(), Fingerprint: "fh"},
		"resolved":       {Sink: "email", Kind: ticket.KindResolved, Drift: sg, Fingerprint: sg.Fingerprint},
		"group": {Sink: "email", Kind: ticket.KindGroup, Fingerprint: "grp", Group: &ticket.Group{
			Actor: "developer@example.com", First: sample.When, Last: sample.When.Add(time.Minute), Window: 5 * time.Minute,
			Drifts: []*drift.Drift{sample.SecurityGroup(), sample.IAMPolicy()},
		}},
	}
	for name, n := range cases {
		m, err := r.Render(n)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden.Check(t, filepath.Join("testdata", name+".txt"), []byte("Subject: "+m.Subject+"\n\n"+m.Text))
		golden.Check(t, filepath.Join("testdata", name+".html"), []byte(m.HTML))
	}
	m, err := r.Render(cases["hostile"])
	if err != nil {
		t.Fatal(err)
	}
	raw, err := email.Build(m, email.Envelope{From: "drift@example.com", To: []string{"a@example.com"}, Date: fixedNow()})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "hostile.eml"), raw)
	if _, err := mail.ReadMessage(bytes.NewReader(raw)); err != nil {
		t.Errorf("built message does not parse: %v", err)
	}
	if strings.Count(string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))]), "\r\n") != 8 {
		t.Errorf("a drift value added header lines:\n%s", raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	}
}

// errOf drops a Send's receipt, for the cases that test its error.
func errOf(_ ticket.Receipt, err error) error { return err }
