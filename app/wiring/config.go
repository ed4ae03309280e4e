package wiring

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/slack"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

// LoadConfig loads the config file at path; an empty path means none (nil,
// nil). ${VAR} references read lookupEnv. Warnings go to warn, one line
// each. allowMissingEnv turns unset variables into warnings, for
// `config validate` on a machine without the secrets.
func LoadConfig(path string, lookupEnv func(string) (string, bool), warn io.Writer, allowMissingEnv bool) (*config.Config, error) {
	if path == "" {
		return nil, nil
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	opts := append([]config.Option{config.WithEnv(lookupEnv)}, ConfigOptions()...)
	if allowMissingEnv {
		opts = append(opts, config.AllowMissingEnv())
	}
	cfg, err := config.Load(path, opts...)
	if err != nil {
		return nil, err
	}
	if warn != nil {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(warn, "tfdrift: warning: %s\n", w.String())
		}
	}
	return cfg, nil
}

// ConfigOptions make config loading check message and payload templates
// as the notices layer renders them: with its functions (json, join,
// upper, lower), its escaping, its data, its size limit
// (webhook.MaxPayloadBytes), and a time bound (TemplateCheckTimeout).
// Every command that loads a config passes them.
func ConfigOptions() []config.Option {
	return []config.Option{
		config.WithTemplateFuncs(ticket.TemplateFuncs()),
		config.WithTemplateCheck(CheckTemplate),
	}
}

// TemplateCheckTimeout bounds the sample rendering of one template while
// a config loads: a template that ranges over a huge number fails the
// check instead of hanging it.
//
// A template still rendering when the bound passes runs on in its goroutine
// until it ends (text/template cannot be interrupted); the config is refused.
func TemplateCheckTimeout() time.Duration { return time.Duration(templateCheckTimeout.Load()) }

// SetTemplateCheckTimeout changes the bound and returns a func restoring the
// previous one (for tests).
func SetTemplateCheckTimeout(d time.Duration) (restore func()) {
	old := templateCheckTimeout.Swap(int64(d))
	return func() { templateCheckTimeout.Store(old) }
}

var templateCheckTimeout = func() *atomic.Int64 {
	var v atomic.Int64
	v.Store(int64(2 * time.Second))
	return &v
}()

// CheckTemplate parses and renders one template (config.TemplateCheck)
// with the renderer that will run it: a payload_template with the webhook
// sink's, any other (message_template) with Slack's.
func CheckTemplate(path, name, text string) error {
	render := func() error {
		if strings.HasSuffix(path, "payload_template") {
			t, err := webhook.ParseTemplate(name, text)
			if err != nil {
				return err
			}
			_, err = t.Render(ticket.SampleTemplateData())
			return err
		}
		_, err := slack.NewRenderer(text, ticket.CodeLink{})
		return err
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("the template panicked: %v", r)
			}
		}()
		done <- render()
	}()
	limit := TemplateCheckTimeout()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return templateCause(name, err)
	case <-timer.C:
		// The goroutine runs on until the template ends; the config is
		// refused, so the caller stops anyway.
		return fmt.Errorf("rendering a sample drift took more than %s (a range over a huge number?)", limit)
	}
}

// templateCause drops the wrapping a renderer adds ("payload template
// tmpl: ", "with a sample drift: ") from a text/template error, so the
// config reports it at its line.
func templateCause(name string, err error) error {
	if err == nil {
		return nil
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if msg := e.Error(); strings.HasPrefix(msg, "template: ") {
			// Slack's renderer names its template message_template.
			msg = strings.Replace(msg, "template: message_template:", "template: "+name+":", 1)
			return errors.New(strings.Replace(msg, `"message_template"`, `"`+name+`"`, 1))
		}
	}
	msg := strings.Replace(err.Error(), "payload template "+name+": ", "", 1)
	msg = strings.Replace(msg, "payload template "+name+" ", "the sample payload ", 1)
	return errors.New(msg)
}
