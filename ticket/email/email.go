package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
)

// Defaults.
const (
	DefaultName    = "email"
	DefaultPort    = 587
	DefaultTimeout = 30 * time.Second
)

// Options configure the e-mail sink.
type Options struct {
	// Name is the sink's name; default "email".
	Name string
	Host string
	// Port defaults to 587 (submission).
	Port int
	// Username and Password authenticate with AUTH PLAIN; empty Username
	// sends without authenticating.
	Username string
	Password string
	From     string
	To       []string
	// StartTLS requires the STARTTLS upgrade before anything else is
	// said; the sink refuses to go on in clear text when the server does
	// not offer it. Without it, a server's STARTTLS is still used when
	// offered, and credentials are only sent over TLS (net/smtp refuses
	// otherwise, except to localhost).
	StartTLS bool
	// TLSConfig verifies the server; nil means the system roots and Host
	// as the server name. Tests pass their own roots.
	TLSConfig *tls.Config
	// HelloName is the EHLO name; default "localhost".
	HelloName string
	CodeLink  ticket.CodeLink
	Timeout   time.Duration
	// Now gives the Date header; default time.Now.
	Now func() time.Time
}

// Sink sends notices by e-mail.
type Sink struct {
	o Options
	r Renderer
	// from and to are the bare envelope addresses; the headers keep the
	// display names.
	from string
	to   []string
}

// New checks o and returns the sink.
func New(o Options) (*Sink, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Host == "" {
		return nil, fmt.Errorf("email %s: smtp_host is required", o.Name)
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Port < 0 || o.Port > 65535 {
		return nil, fmt.Errorf("email %s: smtp_port %d is not a port", o.Name, o.Port)
	}
	from, err := mail.ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("email %s: from %q: %w", o.Name, o.From, err)
	}
	if len(o.To) == 0 {
		return nil, fmt.Errorf("email %s: to needs at least one address", o.Name)
	}
	var to []string
	for _, addr := range o.To {
		a, err := mail.ParseAddress(addr)
		if err != nil {
			return nil, fmt.Errorf("email %s: to %q: %w", o.Name, addr, err)
		}
		to = append(to, a.Address)
	}
	if o.HelloName == "" {
		o.HelloName = "localhost"
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Sink{o: o, r: Renderer{CodeLink: o.CodeLink}, from: from.Address, to: to}, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.o.Name }

// Render returns the message Send would send.
func (s *Sink) Render(n *ticket.Notice) (*Message, error) { return s.r.Render(n) }

// Send delivers n to every recipient in one SMTP transaction. The
// receipt is the message's Message-ID (without angle brackets), which
// replies and threads refer to.
func (s *Sink) Send(ctx context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	m, err := s.r.Render(n)
	if err != nil {
		return ticket.Receipt{}, ticket.Permanent("email "+s.o.Name, err)
	}
	raw, err := Build(m, Envelope{From: s.o.From, To: s.o.To, Date: s.o.Now()})
	if err != nil {
		return ticket.Receipt{}, ticket.Permanent("email "+s.o.Name, err)
	}
	if err := s.deliver(ctx, raw); err != nil {
		return ticket.Receipt{}, s.classify(err)
	}
	return ticket.Receipt{System: ticket.TypeEmail, ExternalID: m.ID}, nil
}

func (s *Sink) deliver(ctx context.Context, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	addr := net.JoinHostPort(s.o.Host, strconv.Itoa(s.o.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.o.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello(s.o.HelloName); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: s.o.Host, MinVersion: tls.VersionTLS12}
		if s.o.TLSConfig != nil {
			cfg = s.o.TLSConfig.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = s.o.Host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if s.o.StartTLS {
		return ticket.Permanentf("email %s: %s does not offer STARTTLS and starttls is required", s.o.Name, addr)
	}
	if s.o.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return ticket.Permanentf("email %s: %s does not offer AUTH (after STARTTLS)", s.o.Name, addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.o.Username, s.o.Password, s.o.Host)); err != nil {
			return fmt.Errorf("AUTH PLAIN: %w", err)
		}
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, to := range s.to {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("RCPT TO %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The message is accepted once DATA's reply is positive; a failed
	// QUIT does not undo that.
	_ = c.Quit()
	return nil
}

// classify: SMTP 5xx replies, certificate problems and refused plain-text
// authentication are permanent; 4xx replies and network errors are not.
func (s *Sink) classify(err error) error {
	if ticket.IsPermanent(err) {
		return err
	}
	what := fmt.Sprintf("email %s: %s:%d", s.o.Name, s.o.Host, s.o.Port)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return ticket.Permanent(what, err)
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cv) {
		return ticket.Permanent(what+": the server's certificate does not verify", err)
	}
	if strings.Contains(err.Error(), "unencrypted connection") {
		return ticket.Permanent(what+": refusing to send the password without TLS", err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
