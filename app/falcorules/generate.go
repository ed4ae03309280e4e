package falcorules

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

// Format selects what Generate renders.
type Format string

// Formats.
const (
	// FormatRules is a Falco rules file (deploy/falco/tfdrift_rules.yaml).
	FormatRules Format = "rules"
	// FormatValues is a values file for the falcosecurity/falco Helm chart
	// that loads the plugins, embeds the rules and posts alerts to tfdrift
	// (deploy/falco/values.yaml).
	FormatValues Format = "values"
	// FormatEventBridge is the EventBridge event pattern for the
	// EventBridge → SQS input (deploy/aws/eventbridge-pattern.json).
	FormatEventBridge Format = "eventbridge"
)

// DefaultURL is where the generated values point Falco's http_output: the
// Service of the tfdrift Helm chart installed as release "tfdrift" in
// namespace "tfdrift", with the shared secret in the path. Falco expands
// ${TFDRIFT_FALCO_SECRET} from its environment when it reads falco.yaml, so
// the secret stays in a Kubernetes Secret and out of the values file.
const DefaultURL = "http://tfdrift.tfdrift.svc.cluster.local:8080/falco/${TFDRIFT_FALCO_SECRET}"

// Options control Generate. The zero value renders the rules file for
// every provider.
type Options struct {
	Format Format
	// URL is http_output.url in the values; DefaultURL when empty.
	URL string
	// Providers limits the output to these clouds; empty means all the
	// catalog covers. A Falco that loads only the cloudtrail plugin must
	// not be given the GCP rules: their required plugin would be missing.
	Providers []change.Provider
}

// Generate renders the Falco rules, the Falco chart values or the
// EventBridge pattern for every event of cat. The output depends only on
// cat and opts, so committed copies can be compared byte for byte.
func Generate(cat *catalog.Catalog, opts Options) ([]byte, error) {
	if cat == nil {
		return nil, fmt.Errorf("falco rules: no catalog")
	}
	switch opts.Format {
	case FormatEventBridge:
		return EventBridgePattern(cat), nil
	case "", FormatRules, FormatValues:
	default:
		return nil, fmt.Errorf("falco rules: unknown format %q (want rules, values or eventbridge)", opts.Format)
	}
	providers, err := selectProviders(opts.Providers)
	if err != nil {
		return nil, err
	}
	set := buildRuleSet(cat, providers)
	for _, p := range providers {
		if len(set.byProvider(p)) == 0 {
			return nil, fmt.Errorf("falco rules: the catalog has no %s events", p)
		}
	}
	rules := renderRules(set)
	if opts.Format != FormatValues {
		return rules, nil
	}
	u := opts.URL
	if u == "" {
		u = DefaultURL
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	return renderValues(set, rules, u), nil
}

func selectProviders(ps []change.Provider) ([]change.Provider, error) {
	if len(ps) == 0 {
		return []change.Provider{change.AWS, change.GCP}, nil
	}
	var out []change.Provider
	for _, p := range ps {
		if p != change.AWS && p != change.GCP {
			return nil, fmt.Errorf("falco rules: unknown provider %q (want aws or gcp)", p)
		}
		if !containsProvider(out, p) {
			out = append(out, p)
		}
	}
	// A fixed order keeps the output independent of the flag order.
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func containsProvider(ps []change.Provider, p change.Provider) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("falco rules: http_output url %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("falco rules: http_output url %q: want http:// or https:// and a host", s)
	}
	return nil
}

// serviceRule is one generated rule: the catalog's events of one service.
type serviceRule struct {
	provider change.Provider
	service  string // API host: ec2.amazonaws.com, compute.googleapis.com
	short    string // identifier part: ec2, compute
	events   []string
	// versioned are events whose real spellings carry a version affix
	// (an AWS suffix, a GCP prefix) and need a second match clause.
	versioned []string
}

type ruleSet struct{ rules []serviceRule }

func (s ruleSet) byProvider(p change.Provider) []serviceRule {
	var out []serviceRule
	for _, r := range s.rules {
		if r.provider == p {
			out = append(out, r)
		}
	}
	return out
}

func (s ruleSet) count(p change.Provider) int {
	n := 0
	for _, r := range s.byProvider(p) {
		n += len(r.events)
	}
	return n
}

// versionedAWSServices are the services whose CloudTrail event names carry
// an API-version suffix starting with a year (Lambda's
// UpdateFunctionConfiguration20150331v2, CloudFront's
// UpdateDistribution2020_05_31). change.NormalizeAWSEventName strips any
// such suffix; Route 53 is listed because some logs carry one there too.
// Other services log plain names, and matching them exactly keeps Falco
// from forwarding unrelated calls that merely share a prefix.
var versionedAWSServices = map[string]bool{
	"lambda.amazonaws.com":     true,
	"cloudfront.amazonaws.com": true,
	"route53.amazonaws.com":    true,
}

// awsVersionPrefix is what a versioned spelling of event starts with: the
// name followed by the first two digits of the API version's year.
// "UpdateDistribution20" matches UpdateDistribution2020_05_31 but not
// UpdateDistributionWithTags…, which is an event of its own.
func awsVersionPrefix(event string) string { return event + "20" }

// gcpVersionSuffix is what a version-prefixed spelling of a GCP method ends
// with (v1.compute.firewalls.patch, beta.compute.firewalls.patch).
func gcpVersionSuffix(method string) string { return "." + method }

// gcpVersioned reports whether real logs may prefix the method with an API
// version. Fully-qualified RPC names (google.iam.admin.v1.CreateRole) and
// bare names (SetIamPolicy) are logged as they are;
// change.NormalizeGCPMethodName leaves them alone too.
func gcpVersioned(method string) bool {
	return strings.Contains(method, ".") && !strings.HasPrefix(method, "google.")
}

func buildRuleSet(cat *catalog.Catalog, providers []change.Provider) ruleSet {
	type k struct {
		p       change.Provider
		service string
	}
	idx := map[k]int{}
	var set ruleSet
	for _, e := range cat.Entries() {
		if !containsProvider(providers, e.Provider) {
			continue
		}
		key := k{e.Provider, e.Service}
		i, ok := idx[key]
		if !ok {
			i = len(set.rules)
			idx[key] = i
			set.rules = append(set.rules, serviceRule{provider: e.Provider, service: e.Service, short: shortName(e.Service)})
		}
		r := &set.rules[i]
		r.events = append(r.events, e.Event)
		switch {
		case e.Provider == change.AWS && versionedAWSServices[e.Service]:
			r.versioned = append(r.versioned, e.Event)
		case e.Provider == change.GCP && gcpVersioned(e.Event):
			r.versioned = append(r.versioned, e.Event)
		}
	}
	// Entries come sorted by provider, service and event already; sort
	// again so the output never depends on that detail.
	sort.Slice(set.rules, func(i, j int) bool {
		a, b := set.rules[i], set.rules[j]
		if a.provider != b.provider {
			return a.provider < b.provider
		}
		return a.service < b.service
	})
	for i := range set.rules {
		sort.Strings(set.rules[i].events)
		sort.Strings(set.rules[i].versioned)
	}
	return set
}

// shortName turns an API host into a Falco identifier part:
// elasticloadbalancing.amazonaws.com → elasticloadbalancing.
func shortName(service string) string {
	s := service
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return '_'
	}, s)
}

// quote renders s as a YAML double-quoted scalar (JSON string syntax is a
// subset of it), so URLs and patterns need no further escaping.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
