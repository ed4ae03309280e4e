package falcorules

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

// committed are the generated files checked into deploy/, with the options
// that produce them. `go test ./app/falcorules -update` rewrites them;
// `tfdrift falco-rules` with the same flags prints the same bytes.
var committed = []struct {
	path string
	opts Options
}{
	{"../../deploy/falco/tfdrift_rules.yaml", Options{Format: FormatRules}},
	{"../../deploy/falco/values.yaml", Options{Format: FormatValues}},
	{"../../deploy/aws/eventbridge-pattern.json", Options{Format: FormatEventBridge}},
}

// TestCommittedFilesUpToDate fails when a catalog change was not followed
// by regenerating the files under deploy/, so they cannot fall behind.
func TestCommittedFilesUpToDate(t *testing.T) {
	for _, c := range committed {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			want, err := Generate(catalog.Default(), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if golden.Update() {
				if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(c.path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(c.path)
			if err != nil {
				t.Fatalf("%v (run: go test ./app/falcorules -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s is stale; run: go test ./app/falcorules -update\n(-generated +committed):\n%s", c.path, diff)
			}
		})
	}
}

func generate(t *testing.T, opts Options) []byte {
	t.Helper()
	out, err := Generate(catalog.Default(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRulesMatchEveryCatalogEvent evaluates the generated rules against
// every catalog event in its normalised and versioned spellings.
func TestRulesMatchEveryCatalogEvent(t *testing.T) {
	fr := parseFalcoRules(t, generate(t, Options{}))
	cat := catalog.Default()
	for _, e := range cat.Entries() {
		var spellings []string
		var source string
		var ev func(name string) event
		switch e.Provider {
		case change.AWS:
			source = SourceCloudTrail
			spellings = []string{e.Event}
			if versionedAWSServices[e.Service] {
				spellings = append(spellings, e.Event+"20150331", e.Event+"20150331v2", e.Event+"2020_05_31")
			}
			ev = func(name string) event { return event{"ct.src": e.Service, "ct.name": name, "ct.readonly": "false"} }
		case change.GCP:
			source = SourceGCPAudit
			spellings = []string{e.Event}
			if gcpVersioned(e.Event) {
				spellings = append(spellings, "v1."+e.Event, "beta."+e.Event, "alpha."+e.Event)
			}
			ev = func(name string) event { return event{"gcp.serviceName": e.Service, "gcp.methodName": name} }
		}
		for _, name := range spellings {
			if got := fr.matching(source, ev(name)); len(got) != 1 {
				t.Errorf("%s %s %s: matched by %d rules %v, want exactly 1", e.Provider, e.Service, name, len(got), got)
			}
		}
	}
}

// TestRulesFollowRealRecords replays every record of the catalog's test
// cases (real event shapes, versioned names included) through the rules:
// a record must match exactly when the catalog maps it and it is a
// successful write.
func TestRulesFollowRealRecords(t *testing.T) {
	fr := parseFalcoRules(t, generate(t, Options{}))
	cat := catalog.Default()
	n := 0
	err := filepath.WalkDir("../../detector/catalog/testdata/cases", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		walkMaps(v, func(m map[string]any) {
			name, _ := m["eventName"].(string)
			src, _ := m["eventSource"].(string)
			if name != "" && src != "" {
				n++
				ev := event{"ct.name": name, "ct.src": src, "ct.readonly": "false"}
				if ro, ok := m["readOnly"].(bool); ok && ro {
					ev["ct.readonly"] = "true"
				}
				if code, ok := m["errorCode"].(string); ok {
					ev["ct.error"] = code
				}
				want := cat.LookupService(change.AWS, src, change.NormalizeAWSEventName(name)) != nil &&
					ev["ct.readonly"] == "false" && ev["ct.error"] == ""
				if got := len(fr.matching(SourceCloudTrail, ev)) == 1; got != want {
					t.Errorf("%s: %s %s (readOnly %s, error %q): forwarded %v, want %v", path, src, name, ev["ct.readonly"], ev["ct.error"], got, want)
				}
			}
			method, _ := m["methodName"].(string)
			service, _ := m["serviceName"].(string)
			if method != "" && service != "" {
				n++
				ev := event{"gcp.methodName": method, "gcp.serviceName": service}
				// Only LogEntries have an operation; m is the protoPayload,
				// so look one level up through the walk's parent.
				last, first := false, false
				if op, ok := m["@operation"].(map[string]any); ok {
					last, _ = op["last"].(bool)
					first, _ = op["first"].(bool)
				}
				if last {
					ev["json.value[/operation/last]"] = "true"
				}
				if first {
					ev["json.value[/operation/first]"] = "true"
				}
				want := cat.LookupService(change.GCP, service, change.NormalizeGCPMethodName(method)) != nil && !(last && !first)
				if got := len(fr.matching(SourceGCPAudit, ev)) == 1; got != want {
					t.Errorf("%s: %s %s: forwarded %v, want %v", path, service, method, got, want)
				}
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d records found under the catalog's cases; the walk is broken", n)
	}
}

// walkMaps calls f on every map inside v. A LogEntry's operation is copied
// into its protoPayload as "@operation", so that f sees both together.
func walkMaps(v any, f func(map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		if pp, ok := t["protoPayload"].(map[string]any); ok {
			if op, ok := t["operation"]; ok {
				pp["@operation"] = op
			}
		}
		f(t)
		for _, x := range t {
			walkMaps(x, f)
		}
	case []any:
		for _, x := range t {
			walkMaps(x, f)
		}
	}
}

// TestRulesSkipWhatTfdriftIgnores: calls outside the catalog, read-only and
// failed calls, and catalog names under another service stay in Falco.
func TestRulesSkipWhatTfdriftIgnores(t *testing.T) {
	fr := parseFalcoRules(t, generate(t, Options{}))
	tests := []struct {
		name   string
		source string
		ev     event
	}{
		{"read-only call", SourceCloudTrail, event{"ct.src": "ec2.amazonaws.com", "ct.name": "DescribeInstances", "ct.readonly": "true"}},
		{"catalog write marked read-only", SourceCloudTrail, event{"ct.src": "ec2.amazonaws.com", "ct.name": "RunInstances", "ct.readonly": "true"}},
		{"failed write", SourceCloudTrail, event{"ct.src": "ec2.amazonaws.com", "ct.name": "RunInstances", "ct.readonly": "false", "ct.error": "UnauthorizedOperation"}},
		{"same name, other service", SourceCloudTrail, event{"ct.src": "ecs.amazonaws.com", "ct.name": "CreateCluster", "ct.readonly": "false"}},
		{"versioned name of an unmapped call", SourceCloudTrail, event{"ct.src": "lambda.amazonaws.com", "ct.name": "CreateFunctionUrlConfig20211031", "ct.readonly": "false"}},
		{"prefix of a mapped name without a version", SourceCloudTrail, event{"ct.src": "ec2.amazonaws.com", "ct.name": "CreateRouteServer", "ct.readonly": "false"}},
		{"unmapped GCP method", SourceGCPAudit, event{"gcp.serviceName": "compute.googleapis.com", "gcp.methodName": "v1.compute.instances.get"}},
		{"mapped GCP method, other service", SourceGCPAudit, event{"gcp.serviceName": "bigquery.googleapis.com", "gcp.methodName": "SetIamPolicy"}},
		{"end of a long-running operation", SourceGCPAudit, event{"gcp.serviceName": "compute.googleapis.com", "gcp.methodName": "v1.compute.instances.setMachineType", "json.value[/operation/last]": "true"}},
		{"AWS event on the GCP source", SourceGCPAudit, event{"ct.src": "ec2.amazonaws.com", "ct.name": "RunInstances", "ct.readonly": "false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fr.matching(tt.source, tt.ev); len(got) != 0 {
				t.Errorf("matched by %v, want no rule", got)
			}
		})
	}
}

var outputFieldRE = regexp.MustCompile(`%([A-Za-z0-9_.]+(?:\[[^\]]*\])?)`)

// decoderFields reads the Falco output field names detector/decode's Falco
// decoder looks up (its field… constants), so that a field the decoder
// starts reading cannot be missing from the rules.
func decoderFields(t *testing.T) (aws, gcp []string) {
	t.Helper()
	const file = "../../detector/decode/falco.go"
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "field") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case strings.HasPrefix(n.Name, "fieldCT"):
					aws = append(aws, v)
				case strings.HasPrefix(n.Name, "fieldGCP"):
					gcp = append(gcp, v)
				}
			}
		}
	}
	if len(aws) < 10 || len(gcp) < 10 {
		t.Fatalf("%s: found %d CloudTrail and %d GCP field constants; the decoder's naming changed, update this test", file, len(aws), len(gcp))
	}
	return aws, gcp
}

// TestOutputsCarryDecoderFields: every rule names every field the decoder
// reads, so alerts carry them even without append_output.
func TestOutputsCarryDecoderFields(t *testing.T) {
	decAWS, decGCP := decoderFields(t)
	// The fields the issue calls out, whatever the decoder's constants say.
	brief := []string{"ct.id", "ct.name", "ct.src", "ct.region", "ct.srcip", "ct.useragent", "ct.user",
		"ct.originaluser", "ct.user.arn", "ct.user.accountid", "ct.user.identitytype", "ct.user.principalid",
		"ct.recipientaccountid", "ct.readonly", "ct.error", "ct.time", "ct.request", "ct.response"}
	briefGCP := []string{"gcp.methodName", "json.value[/protoPayload/request]", "json.value[/protoPayload/response]",
		"json.value[/insertId]", "json.value[/timestamp]", "json.value[/logName]", "json.value[/protoPayload/status/code]"}
	need := map[string][]string{
		SourceCloudTrail: append(decAWS, brief...),
		SourceGCPAudit:   append(decGCP, briefGCP...),
	}
	fr := parseFalcoRules(t, generate(t, Options{}))
	seen := map[string]int{}
	for _, r := range fr.rules {
		seen[r.source]++
		have := map[string]bool{}
		for _, m := range outputFieldRE.FindAllStringSubmatch(r.item.Output, -1) {
			have[m[1]] = true
		}
		for _, f := range need[r.source] {
			if !have[f] {
				t.Errorf("rule %q: output lacks %%%s", r.name, f)
			}
		}
	}
	if seen[SourceCloudTrail] == 0 || seen[SourceGCPAudit] == 0 {
		t.Fatalf("rules per source = %v, want both sources", seen)
	}

	// append_output in the values adds the same fields per source.
	var vals chartValues
	if err := yaml.Unmarshal(generate(t, Options{Format: FormatValues}), &vals); err != nil {
		t.Fatal(err)
	}
	extra := map[string]map[string]bool{}
	for _, a := range vals.Falco.AppendOutput {
		if extra[a.Match.Source] == nil {
			extra[a.Match.Source] = map[string]bool{}
		}
		for _, f := range a.ExtraFields {
			extra[a.Match.Source][f] = true
		}
	}
	for source, fields := range need {
		for _, f := range fields {
			if !extra[source][f] {
				t.Errorf("append_output for %s lacks %s", source, f)
			}
		}
	}
}

// chartValues is the part of the falcosecurity/falco chart's values the
// generated file sets.
type chartValues struct {
	Driver     struct{ Enabled *bool }
	Collectors struct{ Enabled *bool }
	Controller struct {
		Kind       string
		Deployment struct{ Replicas int }
	}
	Falcoctl struct {
		Config struct {
			Artifact struct {
				Install struct{ Refs []string }
			}
		}
	}
	Extra struct {
		Env []struct {
			Name      string
			ValueFrom struct {
				SecretKeyRef struct{ Name, Key string } `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		}
	}
	CustomRules map[string]string `yaml:"customRules"`
	Falco       struct {
		RulesFiles  []string `yaml:"rules_files"`
		LoadPlugins []string `yaml:"load_plugins"`
		Plugins     []struct {
			Name        string `yaml:"name"`
			LibraryPath string `yaml:"library_path"`
			OpenParams  string `yaml:"open_params"`
		}
		JSONOutput                bool `yaml:"json_output"`
		JSONIncludeOutputProperty bool `yaml:"json_include_output_property"`
		HTTPOutput                struct {
			Enabled bool
			URL     string
		} `yaml:"http_output"`
		AppendOutput []struct {
			Match       struct{ Source string }
			ExtraFields []string `yaml:"extra_fields"`
		} `yaml:"append_output"`
	}
}

func TestValuesStructure(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		wantPlugins []string
		wantSources []string
		wantURL     string
	}{
		{"default", Options{Format: FormatValues}, []string{"cloudtrail", "gcpaudit", "json"}, []string{SourceCloudTrail, SourceGCPAudit}, DefaultURL},
		{"aws only", Options{Format: FormatValues, Providers: []change.Provider{change.AWS}, URL: "https://tfdrift.example.com/falco/s"},
			[]string{"cloudtrail", "json"}, []string{SourceCloudTrail}, "https://tfdrift.example.com/falco/s"},
		{"gcp only", Options{Format: FormatValues, Providers: []change.Provider{change.GCP, change.GCP}},
			[]string{"gcpaudit", "json"}, []string{SourceGCPAudit}, DefaultURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := generate(t, tt.opts)
			var v chartValues
			if err := yaml.Unmarshal(out, &v); err != nil {
				t.Fatalf("values do not parse into the chart's shape: %v", err)
			}
			checkChartKeys(t, out)
			if v.Driver.Enabled == nil || *v.Driver.Enabled || v.Collectors.Enabled == nil || *v.Collectors.Enabled {
				t.Errorf("driver/collectors must be disabled for a plugin-only Falco")
			}
			if v.Controller.Kind != "deployment" || v.Controller.Deployment.Replicas != 1 {
				t.Errorf("controller = %+v, want one deployment replica", v.Controller)
			}
			if !v.Falco.JSONOutput || !v.Falco.JSONIncludeOutputProperty || !v.Falco.HTTPOutput.Enabled {
				t.Errorf("json_output, json_include_output_property and http_output must be on")
			}
			if v.Falco.HTTPOutput.URL != tt.wantURL {
				t.Errorf("http_output.url = %q, want %q", v.Falco.HTTPOutput.URL, tt.wantURL)
			}
			if diff := cmp.Diff(tt.wantPlugins, v.Falco.LoadPlugins); diff != "" {
				t.Errorf("load_plugins (-want +got):\n%s", diff)
			}
			var names, refs []string
			for _, p := range v.Falco.Plugins {
				names = append(names, p.Name)
				if p.LibraryPath != "lib"+p.Name+".so" {
					t.Errorf("plugin %s library_path = %q", p.Name, p.LibraryPath)
				}
			}
			for _, r := range v.Falcoctl.Config.Artifact.Install.Refs {
				refs = append(refs, strings.SplitN(r, ":", 2)[0])
			}
			if diff := cmp.Diff(tt.wantPlugins, names); diff != "" {
				t.Errorf("plugins (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPlugins, refs); diff != "" {
				t.Errorf("falcoctl refs (-want +got):\n%s", diff)
			}
			var sources []string
			for _, a := range v.Falco.AppendOutput {
				sources = append(sources, a.Match.Source)
			}
			if diff := cmp.Diff(tt.wantSources, sources); diff != "" {
				t.Errorf("append_output sources (-want +got):\n%s", diff)
			}
			if len(v.Extra.Env) != 1 || v.Extra.Env[0].Name != FalcoSecretEnv || !strings.Contains(DefaultURL, "${"+FalcoSecretEnv+"}") {
				t.Errorf("extra.env = %+v, want %s from a Secret", v.Extra.Env, FalcoSecretEnv)
			}
			if diff := cmp.Diff([]string{"/etc/falco/rules.d"}, v.Falco.RulesFiles); diff != "" {
				t.Errorf("rules_files (-want +got):\n%s", diff)
			}
			// The embedded rules are exactly the rules file for the same
			// providers.
			rules := generate(t, Options{Providers: tt.opts.Providers})
			if diff := cmp.Diff(string(rules), v.CustomRules[RulesFileName]); diff != "" {
				t.Errorf("customRules[%s] differs from the rules (-want +got):\n%s", RulesFileName, diff)
			}
		})
	}
}

// chartKeys are the keys of the falcosecurity/falco chart's values (and of
// falco.yaml under falco:) that the generated file may set; a misspelt key
// would be ignored by the chart, so it fails here.
var chartKeys = map[string][]string{
	"":            {"driver", "collectors", "controller", "falcoctl", "extra", "customRules", "falco"},
	"falco":       {"rules_files", "load_plugins", "plugins", "json_output", "json_include_output_property", "json_include_tags_property", "http_output", "append_output"},
	"http_output": {"enabled", "url", "user_agent", "keep_alive"},
	"plugin":      {"name", "library_path", "init_config", "open_params"},
}

func checkChartKeys(t *testing.T, out []byte) {
	t.Helper()
	var raw map[string]any
	if err := yaml.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	check := func(where string, m map[string]any, allowed []string) {
		for k := range m {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s: key %q is not one the Falco chart reads here", where, k)
			}
		}
	}
	check("values", raw, chartKeys[""])
	falco, _ := raw["falco"].(map[string]any)
	check("falco", falco, chartKeys["falco"])
	httpOut, _ := falco["http_output"].(map[string]any)
	check("falco.http_output", httpOut, chartKeys["http_output"])
	plugins, _ := falco["plugins"].([]any)
	for _, p := range plugins {
		pm, _ := p.(map[string]any)
		check("falco.plugins[]", pm, chartKeys["plugin"])
	}
}

// TestRulesStructure checks the Falco shape of the rules file: the
// version requirements first, every rule complete, sources and required
// plugins consistent with the providers asked for.
func TestRulesStructure(t *testing.T) {
	tests := []struct {
		name        string
		providers   []change.Provider
		wantSources []string
		wantPlugins []string
	}{
		{"all", nil, []string{SourceCloudTrail, SourceGCPAudit}, []string{"cloudtrail", "gcpaudit", "json"}},
		{"aws", []change.Provider{change.AWS}, []string{SourceCloudTrail}, []string{"cloudtrail", "json"}},
		{"gcp", []change.Provider{change.GCP}, []string{SourceGCPAudit}, []string{"gcpaudit", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := parseFalcoRules(t, generate(t, Options{Providers: tt.providers}))
			if len(fr.items) < 3 || fr.items[0].RequiredEngineVersion == nil || len(fr.items[1].RequiredPluginVersions) == 0 {
				t.Fatalf("the file must start with required_engine_version and required_plugin_versions")
			}
			var plugins []string
			for _, p := range fr.items[1].RequiredPluginVersions {
				plugins = append(plugins, p.Name)
				if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(p.Version) {
					t.Errorf("plugin %s version %q is not x.y.z", p.Name, p.Version)
				}
			}
			if diff := cmp.Diff(tt.wantPlugins, plugins); diff != "" {
				t.Errorf("required plugins (-want +got):\n%s", diff)
			}
			sources := map[string]bool{}
			names := map[string]bool{}
			for _, r := range fr.rules {
				it := r.item
				if it.Desc == "" || it.Condition == "" || it.Output == "" || it.Priority != "NOTICE" || len(it.Tags) == 0 || it.Tags[0] != "tfdrift" {
					t.Errorf("rule %q is incomplete: %+v", r.name, it)
				}
				if names[r.name] {
					t.Errorf("rule %q defined twice", r.name)
				}
				names[r.name] = true
				sources[r.source] = true
			}
			var got []string
			for s := range sources {
				got = append(got, s)
			}
			sort.Strings(got)
			if diff := cmp.Diff(tt.wantSources, got); diff != "" {
				t.Errorf("rule sources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	empty, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cat  *catalog.Catalog
		opts Options
		want string
	}{
		{"no catalog", nil, Options{}, "no catalog"},
		{"unknown format", catalog.Default(), Options{Format: "toml"}, `unknown format "toml"`},
		{"unknown provider", catalog.Default(), Options{Providers: []change.Provider{"azure"}}, `unknown provider "azure"`},
		{"url without scheme", catalog.Default(), Options{Format: FormatValues, URL: "tfdrift:8080/falco"}, "want http:// or https://"},
		{"url without host", catalog.Default(), Options{Format: FormatValues, URL: "http:///falco"}, "want http:// or https://"},
		{"empty catalog", empty, Options{}, "no aws events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.cat, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, f := range []Format{FormatRules, FormatValues, FormatEventBridge} {
		a, b := generate(t, Options{Format: f}), generate(t, Options{Format: f})
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ", f)
		}
	}
	// Provider order does not matter.
	a := generate(t, Options{Providers: []change.Provider{change.GCP, change.AWS}})
	if b := generate(t, Options{}); !bytes.Equal(a, b) {
		t.Errorf("--provider gcp --provider aws differs from the default")
	}
}

func TestEventBridgePattern(t *testing.T) {
	out := EventBridgePattern(catalog.Default())
	// The default quota for a pattern is 2,048 characters; the committed
	// file is used as it is.
	if len(out) > 2048 {
		t.Errorf("pattern is %d bytes, over EventBridge's default 2,048", len(out))
	}
	var p struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			EventSource []string         `json:"eventSource"`
			ErrorCode   []map[string]any `json:"errorCode"`
		} `json:"detail"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"AWS API Call via CloudTrail"}, p.DetailType); diff != "" {
		t.Errorf("detail-type (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]map[string]any{{"exists": false}}, p.Detail.ErrorCode); diff != "" {
		t.Errorf("errorCode (-want +got):\n%s", diff)
	}
	have := map[string]bool{}
	for _, s := range p.Detail.EventSource {
		have[s] = true
	}
	for _, e := range catalog.Default().Entries() {
		if e.Provider == change.AWS && !have[e.Service] {
			t.Errorf("eventSource lacks %s (%s)", e.Service, e.Event)
		}
		if e.Provider == change.GCP && have[e.Service] {
			t.Errorf("eventSource has GCP service %s", e.Service)
		}
	}
}
