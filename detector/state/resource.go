package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/jsonany"
	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// DefaultWorkspace is Terraform's name for the workspace every
// configuration starts in.
const DefaultWorkspace = "default"

// Source says where a snapshot came from and which cloud scope its
// resources live in, so that an event from one account never matches a
// resource managed in another.
type Source struct {
	// Name labels the state: a file path or "s3://bucket/key".
	Name string
	// Workspace is "default" unless known.
	Workspace string
	// Provider limits the source to one cloud; "" means any, and each
	// resource's own provider (from its provider address) decides.
	Provider change.Provider
	// Account is the AWS account ID or GCP project ID the state manages;
	// "" means unknown and matches events from any account.
	Account string
	// Serial is the serial of the snapshot the resources came from, set
	// by Parse (Snapshot.Serial). The detector tags what it learns from
	// the cloud with it, so a state written later supersedes that.
	Serial int64
}

// Resource is one managed resource instance in a state snapshot.
//
// Resources are shared by the Index and every caller that looks them up:
// treat them as read-only.
type Resource struct {
	// Address is the full instance address:
	// module.net.aws_security_group.web, aws_instance.workers[1],
	// aws_s3_bucket.b["logs"].
	Address string
	// Module is the module instance path ("module.net",
	// "module.a.module.b", `module.env["prod"]`); "" for the root module.
	Module string
	Type   string
	Name   string
	// Index is the count (int) or for_each (string) key; nil when the
	// resource uses neither.
	Index any
	// Provider is derived from ProviderAddr: hashicorp/aws → "aws",
	// hashicorp/google and google-beta → "gcp", any other provider → its
	// type name ("random", "cloudflare").
	Provider     change.Provider
	ProviderAddr string
	Source       *Source
	// ID is the "id" attribute: the cloud identifier for most types.
	ID string

	// attrs is the instance's attributes object, compacted, in its own
	// allocation so that a resource held by a drift record does not pin
	// the whole state file in memory.
	attrs json.RawMessage
	// sortedAttrs says attrs' keys are unescaped and strictly increasing.
	sortedAttrs bool
}

// Attributes decodes the instance's attributes. Numbers are json.Number so
// they keep their exact text (an account ID or a port never turns into a
// float). It decodes on every call: it runs only for resources an event
// touched, and a fresh map is one callers may modify.
func (r *Resource) Attributes() (map[string]any, error) {
	if len(r.attrs) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.attrs))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("resource %s: attributes: %w", r.Address, err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// RawAttributes returns the attributes object as it appears in state,
// without the whitespace between its tokens. The bytes are shared: do not
// modify them.
func (r *Resource) RawAttributes() json.RawMessage { return r.attrs }

// NewResource builds a Resource from something other than a state file
// (plan JSON, tests). attrs must be a JSON object (or empty); it is copied.
// Empty Address, Provider and ID are derived from the other fields and the
// attributes, the same way Parse derives them.
func NewResource(r Resource, attrs json.RawMessage) (*Resource, error) {
	out := r
	out.attrs, out.sortedAttrs = nil, false
	if len(bytes.TrimSpace(attrs)) > 0 {
		s := scanner{jsonscan.NewScanner(attrs)}
		s.Space()
		start := s.Pos
		id, sorted, err := s.walkAttributes()
		if err != nil {
			return nil, fmt.Errorf("resource %s: attributes: %w", r.Address, withLine(attrs, err))
		}
		end := s.Pos
		if s.Peek() != 0 {
			return nil, fmt.Errorf("resource %s: attributes: %w", r.Address, withLine(attrs, s.Unexpected("end of input")))
		}
		out.attrs = compactCopy(attrs[start:end])
		out.sortedAttrs = sorted
		if out.ID == "" {
			out.ID = id
		}
	}
	if out.Address == "" {
		out.Address = instanceAddress(out.Module, out.Type, out.Name, out.Index)
	}
	if out.Provider == "" {
		out.Provider = providerOf(out.ProviderAddr)
	}
	return &out, nil
}

// instanceAddress renders a managed resource instance address the way
// Terraform prints it.
func instanceAddress(module, rtype, name string, index any) string {
	var b strings.Builder
	b.Grow(len(module) + len(rtype) + len(name) + 8)
	if module != "" {
		b.WriteString(module)
		b.WriteByte('.')
	}
	b.WriteString(rtype)
	b.WriteByte('.')
	b.WriteString(name)
	switch k := index.(type) {
	case int:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(']')
	case string:
		b.WriteByte('[')
		writeQuotedKey(&b, k)
		b.WriteByte(']')
	}
	return b.String()
}

// writeQuotedKey quotes a for_each key as Terraform renders it in
// addresses: Go-like escapes for quotes, backslashes and control
// characters, printable Unicode kept as is, and "${" / "%{" doubled to
// "$${" / "%%{" so the address stays a valid HCL traversal. For ordinary keys
// this is exactly Go's %q.
func writeQuotedKey(b *strings.Builder, k string) {
	b.WriteByte('"')
	for i, r := range k {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '$', '%':
			b.WriteRune(r)
			if i+1 < len(k) && k[i+1] == '{' {
				b.WriteRune(r)
			}
		default:
			switch {
			case !unicode.IsPrint(r) && r < 0x10000:
				fmt.Fprintf(b, `\u%04x`, r)
			case !unicode.IsPrint(r):
				fmt.Fprintf(b, `\U%08x`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// providerOf maps a provider configuration address to the cloud it talks
// to. It accepts the current form
//
//	provider["registry.terraform.io/hashicorp/aws"].west
//	module.m.provider["registry.terraform.io/hashicorp/google-beta"]
//
// and the legacy 0.12 form provider.aws.west, where the hashicorp namespace
// was implied.
func providerOf(addr string) change.Provider {
	namespace, typ := "hashicorp", ""
	if i := strings.Index(addr, `provider["`); i >= 0 {
		rest := addr[i+len(`provider["`):]
		end := strings.IndexByte(rest, '"')
		if end < 0 {
			return ""
		}
		source := rest[:end] // [host/]namespace/type
		parts := strings.Split(source, "/")
		typ = parts[len(parts)-1]
		if len(parts) >= 2 {
			namespace = parts[len(parts)-2]
		}
	} else if i := strings.Index(addr, "provider."); i >= 0 && (i == 0 || addr[i-1] == '.') {
		rest := addr[i+len("provider."):]
		if dot := strings.IndexByte(rest, '.'); dot >= 0 {
			rest = rest[:dot]
		}
		typ = rest
	}
	switch {
	case typ == "":
		return ""
	case namespace == "hashicorp" && (typ == "google" || typ == "google-beta"):
		return change.GCP
	case typ == "aws":
		return change.AWS
	default:
		return change.Provider(typ)
	}
}

// AttributesOf decodes only the named top-level attributes (absent names
// are left out). The engine compares a handful of attributes per event; an
// aws_instance has ~60, and decoding them all dominated its cost.
func (r *Resource) AttributesOf(names []string) (map[string]any, error) {
	m := make(map[string]any, len(names))
	if len(r.attrs) == 0 {
		return m, nil
	}
	// With sorted keys (Terraform's) the walk stops past the last name
	// asked for: no later key can match, nor repeat an earlier one.
	last := ""
	if r.sortedAttrs {
		for _, n := range names {
			last = max(last, n)
		}
	}
	var derr error
	// The parser (or NewResource) validated attrs, so a structural walk
	// is enough: it skips the attributes nobody asked for without
	// checking their grammar again.
	_, err := jsonscan.EachMember(r.attrs, jsonscan.SkipSpace(r.attrs, 0), func(key, val []byte) bool {
		if r.sortedAttrs && string(key) > last {
			return false
		}
		name := memberName(key, bytes.IndexByte(key, '\\') >= 0)
		// Compared as bytes, so the names that are not asked for cost no
		// allocation.
		for _, n := range names {
			if n != string(name) {
				continue
			}
			v, err := decodeValue(val)
			if err != nil && derr == nil {
				derr = fmt.Errorf("resource %s: attribute %s: %w", r.Address, n, err)
			}
			m[n] = v
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("resource %s: attributes: %w", r.Address, err)
	}
	if derr != nil {
		return nil, derr
	}
	return m, nil
}

// decodeValue decodes one validated JSON value as Attributes would:
// scalars directly, containers through jsonany, which yields what
// encoding/json does.
func decodeValue(raw []byte) (any, error) {
	switch raw[0] {
	case 'n':
		return nil, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		body := raw[1 : len(raw)-1]
		return decodeString(body, bytes.IndexByte(body, '\\') >= 0)
	case '{', '[':
		return jsonany.Decode(raw)
	}
	return json.Number(raw), nil
}
