package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// row is the part of a Resource that Parse derives, in a form that reads
// well in a table.
type row struct {
	Address, Module, Type, Name string
	Index                       any
	Provider                    change.Provider
	ProviderAddr                string
	ID                          string
}

func rows(snap *Snapshot) []row {
	out := make([]row, 0, len(snap.Resources))
	for _, r := range snap.Resources {
		out = append(out, row{r.Address, r.Module, r.Type, r.Name, r.Index, r.Provider, r.ProviderAddr, r.ID})
	}
	return out
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const (
	awsProv    = `provider["registry.terraform.io/hashicorp/aws"]`
	googleProv = `provider["registry.terraform.io/hashicorp/google"]`
)

func TestParseFiles(t *testing.T) {
	tests := []struct {
		file      string
		src       Source
		wantSrc   Source
		tfVersion string
		serial    int64
		lineage   string
		want      []row
	}{
		{
			file:      "aws_network.tfstate",
			src:       Source{Name: "s3://acme-state/network.tfstate", Account: "123456789012"},
			wantSrc:   Source{Name: "s3://acme-state/network.tfstate", Workspace: "default", Account: "123456789012"},
			tfVersion: "1.5.7",
			serial:    42,
			lineage:   "3f6c1d2e-8a4b-4c1e-9d7a-5b2f0e6a9c13",
			want: []row{
				// Data sources (aws_caller_identity, aws_iam_policy_document) are skipped.
				{"aws_db_instance.main", "", "aws_db_instance", "main", nil, change.AWS, awsProv, "db-ABCDEFGHIJKLMNOPQRSTUVWXY1"},
				{"aws_iam_role.app_role", "", "aws_iam_role", "app_role", nil, change.AWS, awsProv, "app-role"},
				{"aws_iam_role_policy.app_policy", "", "aws_iam_role_policy", "app_policy", nil, change.AWS, awsProv, "app-role:app-policy"},
				{"aws_instance.workers[0]", "", "aws_instance", "workers", 0, change.AWS, awsProv, "i-0a1b2c3d4e5f00001"},
				// The tainted instance is kept; its deposed predecessor is not.
				{"aws_instance.workers[1]", "", "aws_instance", "workers", 1, change.AWS, awsProv, "i-0a1b2c3d4e5f00002"},
				{`aws_s3_bucket.b["assets"]`, "", "aws_s3_bucket", "b", "assets", change.AWS, awsProv, "acme-assets"},
				{`aws_s3_bucket.b["logs"]`, "", "aws_s3_bucket", "b", "logs", change.AWS, awsProv, "acme-logs"},
				{"random_id.suffix", "", "random_id", "suffix", nil, "random", `provider["registry.terraform.io/hashicorp/random"]`, "q83v"},
				{"module.app[0].aws_sqs_queue.jobs", "module.app[0]", "aws_sqs_queue", "jobs", nil, change.AWS, awsProv + ".west", "https://sqs.us-west-2.amazonaws.com/123456789012/jobs"},
				{`module.env["prod"].aws_s3_bucket.this`, `module.env["prod"]`, "aws_s3_bucket", "this", nil, change.AWS, awsProv, "acme-prod-data"},
				{"module.net.aws_security_group.web", "module.net", "aws_security_group", "web", nil, change.AWS, awsProv, "sg-0123456789abcdef0"},
				{"module.net.module.subnets.aws_subnet.private[0]", "module.net.module.subnets", "aws_subnet", "private", 0, change.AWS, awsProv, "subnet-0aaa0000000000001"},
				{"module.net.module.subnets.aws_subnet.private[1]", "module.net.module.subnets", "aws_subnet", "private", 1, change.AWS, awsProv, "subnet-0aaa0000000000002"},
			},
		},
		{
			file:      "gcp_firewall.tfstate",
			src:       Source{Name: "gs://acme-state/gcp/prod.tfstate", Workspace: "prod", Provider: change.GCP, Account: "my-project-123"},
			wantSrc:   Source{Name: "gs://acme-state/gcp/prod.tfstate", Workspace: "prod", Provider: change.GCP, Account: "my-project-123"},
			tfVersion: "1.6.6",
			serial:    7,
			lineage:   "b7e3c0a4-2f1d-4b8e-a6c5-0d9e8f7a6b51",
			want: []row{
				{"google_compute_firewall.allow_ssh", "", "google_compute_firewall", "allow_ssh", nil, change.GCP, googleProv, "projects/my-project-123/global/firewalls/allow-ssh"},
				{"google_storage_bucket.artifacts", "", "google_storage_bucket", "artifacts", nil, change.GCP, `provider["registry.terraform.io/hashicorp/google-beta"]`, "my-project-123-artifacts"},
				// Legacy provider address and attributes_flat (not refreshed since 0.11).
				{"google_project_iam_member.ci", "", "google_project_iam_member", "ci", nil, change.GCP, "provider.google", "my-project-123/roles/viewer/serviceAccount:ci@my-project-123.iam.gserviceaccount.com"},
			},
		},
		{
			file:      "empty.tfstate",
			src:       Source{Name: "empty.tfstate"},
			wantSrc:   Source{Name: "empty.tfstate", Workspace: "default"},
			tfVersion: "1.5.7",
			serial:    1,
			lineage:   "0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
			want:      []row{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			snap, err := Parse(readTestdata(t, tt.file), tt.src)
			if err != nil {
				t.Fatal(err)
			}
			wantSrc := tt.wantSrc
			wantSrc.Serial = tt.serial // Parse tags the source with the snapshot's serial
			if diff := cmp.Diff(wantSrc, snap.Source); diff != "" {
				t.Errorf("Source (-want +got):\n%s", diff)
			}
			gotHead := []any{snap.Version, snap.TerraformVersion, snap.Serial, snap.Lineage}
			wantHead := []any{4, tt.tfVersion, tt.serial, tt.lineage}
			if diff := cmp.Diff(wantHead, gotHead); diff != "" {
				t.Errorf("version, terraform_version, serial, lineage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, rows(snap)); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			for _, r := range snap.Resources {
				if r.Source != &snap.Source {
					t.Errorf("%s: Source does not point at the snapshot's Source", r.Address)
				}
			}
		})
	}
}

func TestParseShapes(t *testing.T) {
	const inst = `{"attributes":{"id":"x"}}`
	res := func(fields string) string {
		return `{"version":4,"serial":3,"resources":[{` + fields + `}]}`
	}
	tests := []struct {
		name string
		doc  string
		want []row
	}{
		{
			name: "instances before type and name",
			doc:  res(`"instances":[` + inst + `],"name":"n","type":"t_x","mode":"managed"`),
			want: []row{{"t_x.n", "", "t_x", "n", nil, "", "", "x"}},
		},
		{
			name: "resources before version",
			doc:  `{"resources":[{"mode":"managed","type":"aws_vpc","name":"v","instances":[` + inst + `]}],"version":4}`,
			want: []row{{"aws_vpc.v", "", "aws_vpc", "v", nil, "", "", "x"}},
		},
		{
			name: "string key needing quotes",
			doc:  res(`"mode":"managed","type":"aws_s3_bucket","name":"b","instances":[{"index_key":"a \"q\" \\ ${x} %{y}\n","attributes":{"id":"x"}}]`),
			want: []row{{`aws_s3_bucket.b["a \"q\" \\ $${x} %%{y}\n"]`, "", "aws_s3_bucket", "b", "a \"q\" \\ ${x} %{y}\n", "", "", "x"}},
		},
		{
			name: "non-printable characters in a key escaped",
			doc:  res(`"mode":"managed","type":"aws_s3_bucket","name":"b","instances":[{"index_key":"a\u0001\tb\r\udb40\udc01","attributes":{"id":"x"}}]`),
			want: []row{{`aws_s3_bucket.b["a\u0001\tb\r\U000e0001"]`, "", "aws_s3_bucket", "b", "a\x01\tb\r\U000e0001", "", "", "x"}},
		},
		{
			name: "unicode key kept",
			doc:  res(`"mode":"managed","type":"aws_s3_bucket","name":"b","instances":[{"index_key":"caf\u00e9","attributes":{"id":"x"}}]`),
			want: []row{{`aws_s3_bucket.b["café"]`, "", "aws_s3_bucket", "b", "café", "", "", "x"}},
		},
		{
			name: "numeric id rendered as its JSON text",
			doc:  res(`"mode":"managed","type":"t_n","name":"n","instances":[{"attributes":{"id":12345678901234567890}}]`),
			want: []row{{"t_n.n", "", "t_n", "n", nil, "", "", "12345678901234567890"}},
		},
		{
			name: "null attributes and no instances",
			doc:  `{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes":null}]},{"mode":"managed","type":"a_b","name":"d","instances":[]}]}`,
			want: []row{{"a_b.c", "", "a_b", "c", nil, "", "", ""}},
		},
		{
			name: "escaped structural keys",
			doc:  res(`"mod\u0065":"managed","type":"t_e","name":"n","instances":[{"attributes":{"\u0069d":"x"}}]`),
			want: []row{{"t_e.n", "", "t_e", "n", nil, "", "", ""}},
		},
		{
			name: "unknown fields of later versions are skipped",
			doc:  `{"version":4,"future":{"a":[1,2,{"b":null}]},"resources":[{"mode":"managed","type":"t_f","name":"n","each":"map","instances":[{"identity":{"id":"y"},"attributes":{"id":"x"}}]}]}`,
			want: []row{{"t_f.n", "", "t_f", "n", nil, "", "", "x"}},
		},
		{
			name: "repeated resources key: the last wins",
			doc:  `{"version":4,"resources":[{"mode":"managed","type":"t_a","name":"n","instances":[{}]}],"resources":[]}`,
			want: []row{},
		},
		{
			name: "legacy and module-scoped provider addresses",
			doc: `{"version":4,"resources":[` +
				`{"mode":"managed","type":"aws_vpc","name":"a","provider":"provider.aws.west","instances":[{}]},` +
				`{"module":"module.m","mode":"managed","type":"aws_vpc","name":"b","provider":"module.m.provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{}]},` +
				`{"mode":"managed","type":"google_x","name":"c","provider":"provider[\"registry.terraform.io/acme/google\"]","instances":[{}]},` +
				`{"mode":"managed","type":"aws_vpc","name":"d","provider":"provider[\"registry.opentofu.org/hashicorp/aws\"]","instances":[{}]}]}`,
			want: []row{
				{"aws_vpc.a", "", "aws_vpc", "a", nil, change.AWS, "provider.aws.west", ""},
				{"module.m.aws_vpc.b", "module.m", "aws_vpc", "b", nil, change.AWS, `module.m.provider["registry.terraform.io/hashicorp/aws"]`, ""},
				{"google_x.c", "", "google_x", "c", nil, "google", `provider["registry.terraform.io/acme/google"]`, ""},
				{"aws_vpc.d", "", "aws_vpc", "d", nil, change.AWS, `provider["registry.opentofu.org/hashicorp/aws"]`, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := Parse([]byte(tt.doc), Source{Name: "inline"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rows(snap)); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantMsg string
		// wantOffset, when not -1, is the SyntaxError offset Parse must report.
		wantOffset int64
	}{
		{"empty file", "  \n", "state src.tfstate: empty file, not a Terraform state", -1},
		{"not an object", `[1]`, "state src.tfstate: invalid JSON at byte offset 0 (line 1, column 1): invalid character '[', want '{' starting the state object", 0},
		{"truncated", `{"version":4,"resources":[{"mode":"man`, "state src.tfstate: invalid JSON at byte offset 38 (line 1, column 39): unexpected end of input in string", 38},
		{"truncated after value", `{"version":4,"resources":[]`, "unexpected end of input, want ',' or '}' after object member", 27},
		{"trailing comma", `{"version":4,"resources":[],}`, "invalid character '}', want string for object key", 28},
		{"bad literal", "{\n  \"version\": 4,\n  \"x\": tru\n}", "invalid JSON at byte offset 28 (line 3, column 11): invalid character '\\n', want literal true", 28},
		{"control character in string", "{\"version\":4,\"lineage\":\"a\tb\"}", "invalid control character 0x09 in string", 25},
		{"bad escape", `{"version":4,"lineage":"a\qb"}`, `invalid escape character 'q' in string`, 26},
		{"leading zero", `{"version":4,"x":01}`, `invalid character '1', want ',' or '}' after object member`, 18},
		{"garbage after state", `{"version":4} {}`, `invalid character '{', want end of input after the state object`, 14},
		{"no version", `{"resources":[]}`, `state src.tfstate: no "version" field: not a Terraform state file`, -1},
		{"version as string", `{"version":"4"}`, `invalid character '"', want integer for "version"`, 11},
		{"future version", `{"version":5,"resources":[]}`, "state src.tfstate: unsupported state format version 5: tfdrift reads version 4; this state was written by a newer Terraform than tfdrift knows", -1},
		{"resource without mode", `{"version":4,"resources":[{"type":"a_b","name":"c"}]}`, `state src.tfstate: resource at byte offset 26 has no "mode"`, -1},
		{"managed without name", `{"version":4,"resources":[{"mode":"managed","type":"a_b"}]}`, `managed resource at byte offset 26 has no "type" or "name"`, -1},
		{"fractional index_key", `{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"index_key":1.5}]}]}`, `"index_key" is 1.5, want an integer`, 94},
		{"attributes not an object", `{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes":[1]}]}]}`, `want object for "attributes"`, 95},
		{"deep nesting", `{"version":4,"x":` + strings.Repeat("[", jsonscan.MaxDepth+1) + strings.Repeat("]", jsonscan.MaxDepth+1) + `}`, "nesting exceeds 10000 levels", int64(16 + jsonscan.MaxDepth)}, // the bracket one level too deep (the state object is the first),
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), Source{Name: "src.tfstate"})
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), "state src.tfstate: ") {
				t.Errorf("error %q does not name the source", err)
			}
			var se *SyntaxError
			gotOffset := int64(-1)
			if errors.As(err, &se) {
				gotOffset = se.Offset
			}
			if gotOffset != tt.wantOffset {
				t.Errorf("SyntaxError offset = %d, want %d", gotOffset, tt.wantOffset)
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	t.Run("version 3", func(t *testing.T) {
		_, err := Parse(readTestdata(t, "v3.tfstate"), Source{Name: "legacy/terraform.tfstate"})
		want := "state legacy/terraform.tfstate: unsupported state format version 3: tfdrift reads version 4, written by Terraform 0.12 and later; any apply with a current Terraform upgrades the state"
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v\nwant %s", err, want)
		}
		var ve *UnsupportedVersionError
		if !errors.As(err, &ve) {
			t.Fatalf("error %v is not an *UnsupportedVersionError", err)
		}
		if diff := cmp.Diff(&UnsupportedVersionError{Source: "legacy/terraform.tfstate", Version: 3}, ve); diff != "" {
			t.Errorf("UnsupportedVersionError (-want +got):\n%s", diff)
		}
	})
	t.Run("truncated upload", func(t *testing.T) {
		data := readTestdata(t, "truncated.tfstate")
		_, err := Parse(data, Source{Name: "s3://b/k"})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is not a *SyntaxError", err)
		}
		if se.Offset != int64(len(data)) {
			t.Errorf("offset = %d, want the end of the file (%d)", se.Offset, len(data))
		}
		if !strings.HasPrefix(err.Error(), "state s3://b/k: invalid JSON at byte offset 2500 (line 89, column 16): unexpected end of input") {
			t.Errorf("error = %v", err)
		}
	})
}

// TestParseValidatesLikeEncodingJSON checks that Parse accepts exactly the
// documents encoding/json accepts, for values placed where Parse only
// skips (the bulk of every state file).
func TestParseValidatesLikeEncodingJSON(t *testing.T) {
	values := []string{
		`0`, `-0`, `-0.5e+10`, `1E-2`, `12345678901234567890123`, `01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`, `0x10`,
		`""`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"\u12"`, `"\x"`, "\"a\x01b\"", "\"\xff\xfe\"", `"unterminated`,
		`true`, `false`, `null`, `tru`, `nul`, `True`, `nulll`,
		`[]`, `[1,2]`, `[1,]`, `[,1]`, `[1 2]`, `[`, `]`,
		`{}`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":}`, `{"a":1 "b":2}`, `{1:2}`,
		" \t\r\n[ 1 , { \"k\" : [ ] } ] ", "[1]\x00",
	}
	for _, v := range values {
		for _, doc := range []string{
			`{"version":4,"x":` + v + `,"resources":[]}`,
			`{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes":{"id":"i","v":` + v + `}}]}]}`,
		} {
			_, err := Parse([]byte(doc), Source{Name: "v"})
			if valid := json.Valid([]byte(doc)); valid != (err == nil) {
				t.Errorf("value %q: json.Valid = %v, Parse error = %v", v, valid, err)
			}
		}
	}
}

func TestAttributes(t *testing.T) {
	snap, err := Parse(readTestdata(t, "aws_network.tfstate"), Source{Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	var db *Resource
	for _, r := range snap.Resources {
		if r.Address == "aws_db_instance.main" {
			db = r
		}
	}
	if db == nil {
		t.Fatal("aws_db_instance.main not parsed")
	}
	got, err := db.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"allocated_storage":   json.Number("20"),
		"arn":                 "arn:aws:rds:us-east-1:123456789012:db:orders-prod",
		"engine":              "postgres",
		"engine_version":      "15.4",
		"id":                  "db-ABCDEFGHIJKLMNOPQRSTUVWXY1",
		"identifier":          "orders-prod",
		"instance_class":      "db.t3.medium",
		"multi_az":            true,
		"password":            "hunter2-not-real",
		"port":                json.Number("5432"),
		"publicly_accessible": false,
		"tags":                map[string]any{"Team": "orders"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Attributes (-want +got):\n%s", diff)
	}
	var viaRaw map[string]any
	dec := json.NewDecoder(strings.NewReader(string(db.RawAttributes())))
	dec.UseNumber()
	if err := dec.Decode(&viaRaw); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, viaRaw); diff != "" {
		t.Errorf("RawAttributes decoded (-want +got):\n%s", diff)
	}
	// Each call returns a fresh map, so callers may modify it.
	got["port"] = "changed"
	again, _ := db.Attributes()
	if again["port"] != json.Number("5432") {
		t.Errorf("Attributes shares its map between calls")
	}
	// No attributes at all decodes to an empty map.
	empty, err := (&Resource{}).Attributes()
	if err != nil || len(empty) != 0 {
		t.Errorf("empty Resource: Attributes() = %v, %v; want an empty map", empty, err)
	}
}

// TestParseCopiesAttributes guards the memory model: resources must not
// alias the input buffer, or one drift record would pin a whole state file.
func TestParseCopiesAttributes(t *testing.T) {
	data := readTestdata(t, "aws_network.tfstate")
	snap, err := Parse(data, Source{Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'x'
	}
	for _, r := range snap.Resources {
		if _, err := r.Attributes(); err != nil {
			t.Errorf("%s: attributes changed with the input buffer: %v", r.Address, err)
		}
	}
}

func TestNewResource(t *testing.T) {
	tests := []struct {
		name    string
		in      Resource
		attrs   string
		want    row
		wantErr string
	}{
		{
			name:  "derives address, provider and id",
			in:    Resource{Module: "module.m", Type: "aws_s3_bucket", Name: "b", Index: "logs", ProviderAddr: awsProv},
			attrs: ` {"bucket":"l","id":"l"} `,
			want:  row{`module.m.aws_s3_bucket.b["logs"]`, "module.m", "aws_s3_bucket", "b", "logs", change.AWS, awsProv, "l"},
		},
		{
			name:  "keeps given fields",
			in:    Resource{Address: "x.y", Type: "aws_vpc", Name: "y", Index: 2, Provider: "custom", ID: "given"},
			attrs: `{"id":"from-attrs"}`,
			want:  row{"x.y", "", "aws_vpc", "y", 2, "custom", "", "given"},
		},
		{
			name: "no attributes",
			in:   Resource{Type: "aws_vpc", Name: "v", Index: 3},
			want: row{"aws_vpc.v[3]", "", "aws_vpc", "v", 3, "", "", ""},
		},
		{name: "attributes not an object", in: Resource{Type: "a_b", Name: "c"}, attrs: `[1]`, wantErr: `want object for "attributes"`},
		{name: "trailing data", in: Resource{Type: "a_b", Name: "c"}, attrs: `{} {}`, wantErr: "want end of input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewResource(tt.in, json.RawMessage(tt.attrs))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rows(&Snapshot{Resources: []*Resource{r}})[0]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			var compact bytes.Buffer
			if tt.attrs != "" {
				if err := json.Compact(&compact, []byte(tt.attrs)); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := string(r.RawAttributes()), compact.String(); got != want {
				t.Errorf("RawAttributes = %q, want %q", got, want)
			}
		})
	}
}
