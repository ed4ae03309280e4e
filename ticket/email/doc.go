// Package email is the e-mail sink (alert channel
// "email"): SMTP with STARTTLS and AUTH PLAIN through net/smtp, one
// multipart/alternative message per notice, plain text plus HTML.
//
// Render builds the message (pure, golden-tested); the HTML part comes
// from html/template, so every drift value is escaped. Headers are built
// from one-line values (a CR or LF in a resource ID cannot add a header)
// and non-ASCII subjects are RFC 2047 encoded. Each notice has a stable
// Message-ID, so a redelivery by the at-least-once outbox is recognisable
// as the same message.
//
// It imports ticket, ticket/cost and the standard library; never app.
// The tests' SMTP server is github.com/emersion/go-smtp.
package email
