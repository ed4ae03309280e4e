package terraform

import (
	"slices"
	"strconv"
	"strings"
)

// CheckAddresses reports the first of addrs that is not a managed resource
// (instance) address, as an *AddressError, without running anything:
// callers check user input before a working copy and terraform init.
func CheckAddresses(addrs []string) error {
	_, err := parseTargets(addrs)
	return err
}

// parseTargets checks every address with parseTarget and returns them
// sorted without duplicates, so that argv and error messages do not depend
// on the caller's order.
func parseTargets(addrs []string) ([]string, error) {
	if len(addrs) == 0 {
		return nil, &AddressError{Reason: "no resource address given"}
	}
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if err := parseTarget(a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// parseTarget accepts a managed resource address or resource instance
// address, optionally inside module instances, in the form Terraform
// prints it in plans and state:
//
//	aws_security_group.web
//	aws_instance.workers[1]
//	module.network.module.sg["eu"].aws_s3_bucket.b["logs"]
//
// Addresses come from users (CLI arguments, PR comments), so anything else
// is refused before it reaches Terraform's argv: module addresses (a
// revert would reach every resource inside), data sources (they are read,
// never changed), and malformed text.
func parseTarget(addr string) error {
	fail := func(reason string) error { return &AddressError{Address: addr, Reason: reason} }
	if addr == "" {
		return fail("empty")
	}
	p := addrParser{s: addr}
	for strings.HasPrefix(p.rest(), "module.") {
		p.i += len("module.")
		if !p.name() {
			return fail("module name expected after module.")
		}
		if !p.key() {
			return fail("malformed instance key")
		}
		if p.done() {
			return fail("a module address; target a resource inside it")
		}
		if !p.dot() {
			return fail(`"." expected after module call`)
		}
	}
	if strings.HasPrefix(p.rest(), "data.") {
		return fail("a data source; data sources are read, not changed")
	}
	if !p.name() {
		return fail("resource type expected")
	}
	if !p.dot() {
		return fail(`"." expected after resource type`)
	}
	if !p.name() {
		return fail("resource name expected")
	}
	if !p.key() {
		return fail("malformed instance key")
	}
	if !p.done() {
		return fail("unexpected text " + quoteShort(p.rest()))
	}
	return nil
}

type addrParser struct {
	s string
	i int
}

func (p *addrParser) rest() string { return p.s[p.i:] }
func (p *addrParser) done() bool   { return p.i == len(p.s) }

func (p *addrParser) dot() bool {
	if strings.HasPrefix(p.rest(), ".") {
		p.i++
		return true
	}
	return false
}

// name reads an HCL identifier: a letter or underscore, then letters,
// digits, underscores and dashes (ASCII only, as provider type names are).
func (p *addrParser) name() bool {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		ok := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			p.i > start && (c == '-' || '0' <= c && c <= '9')
		if !ok {
			break
		}
		p.i++
	}
	return p.i > start
}

// key reads an optional instance key: [0] or ["text"] with \" and \\
// escapes. It reports false only for a malformed key.
func (p *addrParser) key() bool {
	if !strings.HasPrefix(p.rest(), "[") {
		return true
	}
	p.i++
	switch {
	case strings.HasPrefix(p.rest(), `"`):
		p.i++
		for {
			if p.done() {
				return false
			}
			c := p.s[p.i]
			p.i++
			if c == '\\' {
				if p.done() {
					return false
				}
				p.i++
				continue
			}
			if c == '"' {
				break
			}
			if c == '\n' || c == 0 {
				return false
			}
		}
	default:
		start := p.i
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
		}
		if p.i == start {
			return false
		}
	}
	if !strings.HasPrefix(p.rest(), "]") {
		return false
	}
	p.i++
	return true
}

// quoteShort quotes s for an error message, shortened.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

// within reports whether the resource instance address addr is, or is an
// instance of, target: aws_instance.w covers aws_instance.w[0] but not
// aws_instance.web.
func within(addr, target string) bool {
	return addr == target || strings.HasPrefix(addr, target) && addr[len(target)] == '['
}

// withinAny reports whether addr is within one of targets.
func withinAny(addr string, targets []string) bool {
	for _, t := range targets {
		if within(addr, t) {
			return true
		}
	}
	return false
}
