package drift

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/change"
)

// referenceNDJSON is the encoding/json rendering AppendNDJSON must match
// byte for byte (its former implementation).
func referenceNDJSON(d *Drift, buf *bytes.Buffer) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(d.ToRecord())
}

// ndjsonPrefix is already in the buffer: AppendNDJSON appends after it and
// leaves it alone on error.
const ndjsonPrefix = "previous line\n"

// compareNDJSON renders d with AppendNDJSON and referenceNDJSON and
// reports any difference in output or error.
func compareNDJSON(t testing.TB, d *Drift) {
	t.Helper()
	var got, want bytes.Buffer
	got.WriteString(ndjsonPrefix)
	want.WriteString(ndjsonPrefix)
	gotErr := d.AppendNDJSON(&got)
	wantErr := referenceNDJSON(d, &want)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		t.Fatalf("error = %v, encoding/json's = %v\ngot  %q\nwant %q", gotErr, wantErr, got.String(), want.String())
	case gotErr != nil:
		if gotErr.Error() != wantErr.Error() {
			t.Errorf("error = %q, encoding/json's = %q", gotErr, wantErr)
		}
		if got.String() != ndjsonPrefix {
			t.Errorf("on error the buffer changed: %q", got.String())
		}
	case !bytes.Equal(got.Bytes(), want.Bytes()):
		t.Fatalf("output differs from encoding/json\ngot  %q\nwant %q", got.String(), want.String())
	}
}

// hostile strings for every string field.
var hostileStrings = []string{
	"",
	`"quoted" and \backslashed\ and \"both\"`,
	"<script>alert('x') && 1 > 0</script>",
	"ctl \x00\x01\x07\b\t\n\v\f\r\x0e\x1b\x1f\x7f end",
	"invalid \xff\xfe utf-8 \xc3 cut \xe2\x82 and \xed\xa0\x80 surrogate",
	"separators \u2028 and \u2029 and \u2027\u202a",
	"emoji 🚀👩‍💻 and ünïcödé 日本語 and \ufffd literal",
	"trailing invalid \xf0\x9f\x98",
	strings.Repeat("long ", 200) + "\x00",
}

type textKey string

func (k textKey) MarshalText() ([]byte, error) { return []byte("k:" + string(k)), nil }

type failingMarshaler struct{}

func (failingMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("boom") }

type rawMarshaler string

func (r rawMarshaler) MarshalJSON() ([]byte, error) { return []byte(r), nil }

type named string

// ndjsonValues are Expected/Actual values: every type the appenders
// handle, and others encoding/json handles for them.
func ndjsonValues() map[string]any {
	type point struct {
		X int    `json:"x"`
		Y string `json:"y,omitempty"`
	}
	s := "pointed <&>"
	return map[string]any{
		"nil":           nil,
		"true":          true,
		"false":         false,
		"string":        "a\"b\\c\n<&>\u2028\xff",
		"empty string":  "",
		"number":        json.Number("-12.5e+3"),
		"number zero":   json.Number(""),
		"number big":    json.Number("123456789012345678901234567890"),
		"float":         3.14159,
		"float int":     float64(1 << 53),
		"float neg0":    math.Copysign(0, -1),
		"float tiny":    1e-7,
		"float e-9":     -2.5e-9,
		"float huge":    1e21,
		"float edge":    999999999999999999999.0,
		"float max":     math.MaxFloat64,
		"float min":     math.SmallestNonzeroFloat64,
		"float32":       float32(0.1),
		"float32 tiny":  float32(1e-7),
		"float32 huge":  float32(1e21),
		"int":           -42,
		"int8":          int8(-8),
		"int16":         int16(16),
		"int32":         int32(-32),
		"int64":         int64(math.MinInt64),
		"uint":          uint(7),
		"uint8":         uint8(255),
		"uint16":        uint16(65535),
		"uint32":        uint32(math.MaxUint32),
		"uint64":        uint64(math.MaxUint64),
		"uintptr":       uintptr(9),
		"strings":       []string{"a", "<b>", ""},
		"strings empty": []string{},
		"strings nil":   []string(nil),
		"map":           map[string]any{"z": 1.5, "a": []any{"x", nil, true}, "m": map[string]any{}, "\xff": "bad key", "<k>": "v", "é": 1, "E": 2},
		"map empty":     map[string]any{},
		"map nil":       map[string]any(nil),
		"slice":         []any{1.0, "two", []any{}, map[string]any{"k": json.Number("3")}},
		"slice empty":   []any{},
		"slice nil":     []any(nil),
		"objects":       []map[string]any{{"protocol": "tcp", "from_port": json.Number("443")}, nil, {}},
		"objects nil":   []map[string]any(nil),
		"string map":    map[string]string{"b": "2", "a": "<1>", "\x00": "\u2029"},
		"string map 0":  map[string]string(nil),
		"raw":           json.RawMessage(` { "b" : [1, 2] , "a":"<&>" } `),
		"raw marshaler": rawMarshaler(`{"z":1,   "a":"\u003c"}`),
		"bytes":         []byte("base64 me"),
		"named":         named("named <string>"),
		"pointer":       &s,
		"nil pointer":   (*string)(nil),
		"struct":        point{X: 1},
		"text key map":  map[textKey]any{"b": 1, "a": 2},
		"int key map":   map[int]string{10: "ten", 9: "nine"},
		"array":         [2]bool{true, false},
		"time":          time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)),
		"deep":          deepValue(200),
		"interfaces":    []any{[]string(nil), map[string]any(nil), []any(nil), json.Number("0")},
	}
}

func deepValue(n int) any {
	var v any = "bottom"
	for i := range n {
		if i%2 == 0 {
			v = []any{v}
		} else {
			v = map[string]any{"k": v}
		}
	}
	return v
}

func cyclicMap() map[string]any {
	m := map[string]any{"a": 1.0}
	m["self"] = m
	return m
}

func cyclicSlice() []any {
	s := []any{1.0, nil}
	s[1] = s
	return s
}

// ndjsonBadValues make encoding/json fail.
func ndjsonBadValues() map[string]any {
	return map[string]any{
		"NaN":              math.NaN(),
		"+Inf":             math.Inf(1),
		"-Inf":             math.Inf(-1),
		"float32 NaN":      float32(math.NaN()),
		"float32 Inf":      float32(math.Inf(1)),
		"nested NaN":       map[string]any{"a": []any{1.0, math.NaN()}},
		"invalid number":   json.Number("12a"),
		"number space":     json.Number(" 1"),
		"number minus":     json.Number("-"),
		"number leading 0": json.Number("01"),
		"number dot":       json.Number("1."),
		"number exp":       json.Number("1e+"),
		"nested number":    []any{json.Number("NaN")},
		"chan":             make(chan int),
		"func":             func() {},
		"complex":          complex(1, 2),
		"cyclic map":       cyclicMap(),
		"cyclic slice":     cyclicSlice(),
		"marshaler error":  failingMarshaler{},
		"bad raw":          json.RawMessage(`{"a":`),
		"objects NaN":      []map[string]any{{"x": math.Inf(-1)}},
	}
}

func TestAppendNDJSONMatchesEncodingJSON(t *testing.T) {
	created := &Drift{ChangeType: Created, ResourceType: "aws_instance", ResourceID: "i-0fedcba9876543210", Severity: High,
		Changes: map[string]AttrChange{"instance_type": {Actual: "c5.24xlarge"}, "user_data": {Unknown: true, Diff: "hidden"}},
		Event:   &change.Change{Provider: change.AWS, EventName: "RunInstances", Account: "123456789012", Region: "us-east-1", Actor: change.Actor{UserName: "dev@example.com"}}}
	noEvent := seedIAMDrift()
	noEvent.Event = nil
	nilSlices := seedIAMDrift()
	nilSlices.Rules, nilSlices.Tags, nilSlices.Changes = nil, nil, nil
	emptySlices := seedIAMDrift()
	emptySlices.Rules, emptySlices.Tags, emptySlices.Changes = []string{}, []string{}, map[string]AttrChange{}
	zeroTimes := seedIAMDrift()
	zeroTimes.DetectedAt, zeroTimes.Event.Time = time.Time{}, time.Time{}
	otherZones := seedIAMDrift()
	otherZones.DetectedAt = time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("east", 5*3600+1800))
	otherZones.Event.Time = time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("west", -8*3600))
	farYears := seedIAMDrift()
	farYears.DetectedAt = time.Date(-12345, 6, 7, 8, 9, 10, 0, time.UTC)
	farYears.Event.Time = time.Date(123456, 1, 1, 0, 0, 0, 0, time.UTC)
	unixZero := seedIAMDrift()
	unixZero.DetectedAt, unixZero.Event.Time = time.Unix(0, 0), time.Unix(-1, 0).Local()
	rawNameOnly := seedIAMDrift()
	rawNameOnly.Event.RawEventName = ""
	rawNameOnly.Event.Actor = change.Actor{PrincipalID: "AIDA", IssuerARN: "arn:aws:iam::1:role/r"}
	arnOnly := seedIAMDrift()
	arnOnly.Event.Actor = change.Actor{ARN: "arn:aws:iam::1:user/u"}
	noSource := seedIAMDrift()
	noSource.Event.Service = ""

	tests := map[string]*Drift{
		"seed iam":        seedIAMDrift(),
		"created":         created,
		"zero":            {},
		"no event":        noEvent,
		"empty event":     {Event: &change.Change{}},
		"nil slices":      nilSlices,
		"empty slices":    emptySlices,
		"zero times":      zeroTimes,
		"other zones":     otherZones,
		"far years":       farYears,
		"unix zero":       unixZero,
		"raw name only":   rawNameOnly,
		"arn only":        arnOnly,
		"no event source": noSource,
		"many changes":    {Changes: manyChanges(40)},
	}
	// Every omitempty combination of Location, AttrChange, Actor and AuditRecord.
	for mask := range 1 << 11 {
		l := Location{}
		for i, set := range []func(){
			func() { l.State = "s" }, func() { l.Workspace = "w" }, func() { l.Module = "m" },
			func() { l.ModuleAddress = "module.m" }, func() { l.File = "f.tf" }, func() { l.Line = -mask },
			func() { l.Remote = "git::x" }, func() { l.EndLine = mask }, func() { l.Repo = "acme/infra" },
			func() { l.Root = "envs/prod" }, func() { l.Ref = "0123abc" },
		} {
			if mask&(1<<i) != 0 {
				set()
			}
		}
		tests[fmt.Sprintf("location %011b", mask)] = &Drift{Terraform: l}
	}
	for mask := range 1 << 6 {
		d := seedIAMDrift()
		d.Changes["policy"] = AttrChange{Diff: map[bool]string{true: "d"}[mask&1 != 0], Unknown: mask&2 != 0}
		if mask&4 != 0 {
			d.Event.Actor.IssuerARN = "arn:issuer"
		}
		if mask&8 != 0 {
			d.Event.Service = ""
		}
		d.Pending = mask&16 != 0
		if mask&32 != 0 {
			d.TakesEffect = "at the next <maintenance> window"
		}
		tests[fmt.Sprintf("omitempty %06b", mask)] = d
	}
	for i, s := range hostileStrings {
		tests[fmt.Sprintf("hostile %d", i)] = hostileDrift(s)
	}
	for name, v := range ndjsonValues() {
		tests["value "+name] = valueDrift(v)
	}
	all := map[string]AttrChange{}
	for name, v := range ndjsonValues() {
		all[name] = AttrChange{Expected: v, Actual: []any{v, map[string]any{name: v}}, Diff: name}
	}
	tests["all values"] = &Drift{Changes: all}
	for name, v := range ndjsonBadValues() {
		tests["bad "+name] = valueDrift(v)
		bad := seedIAMDrift()
		bad.Changes["zz"] = AttrChange{Expected: "fine", Actual: map[string]any{"a": []any{v}}}
		tests["bad nested "+name] = bad
	}
	for name, d := range tests {
		t.Run(name, func(t *testing.T) { compareNDJSON(t, d) })
	}
}

func manyChanges(n int) map[string]AttrChange {
	m := map[string]AttrChange{}
	for i := range n {
		m[fmt.Sprintf("attr_%03d", (i*37)%n)] = AttrChange{Expected: float64(i), Actual: fmt.Sprint(i)}
	}
	return m
}

// hostileDrift puts s in every string of a drift.
func hostileDrift(s string) *Drift {
	return &Drift{
		EventID: s, ChangeType: ChangeType(s), ResourceType: s, ResourceID: s, ResourceAddress: s,
		Pending: true, TakesEffect: s, Severity: Severity(s), Rules: []string{s, s}, Tags: []string{s}, Fingerprint: s,
		Changes: map[string]AttrChange{s: {Expected: s, Actual: map[string]any{s: []any{s}}, Diff: s}, s + "2": {Expected: []string{s}}},
		Event: &change.Change{Provider: change.Provider(s), Account: s, Region: s, Service: s, EventName: s, RawEventName: s,
			EventID: s, SourceIP: s, UserAgent: s,
			Actor: change.Actor{Type: s, PrincipalID: s, ARN: s, AccountID: s, UserName: s, IssuerARN: s}},
		Terraform: Location{State: s, Workspace: s, Module: s, ModuleAddress: s, File: s, Remote: s, Repo: s, Root: s, Ref: s},
	}
}

func valueDrift(v any) *Drift {
	d := seedIAMDrift()
	d.Changes["value"] = AttrChange{Expected: v, Actual: v}
	return d
}

// TestAppendNDJSONStrings checks every ASCII byte, a span of runes and
// every byte as a broken sequence.
func TestAppendNDJSONStrings(t *testing.T) {
	check := func(s string) {
		t.Helper()
		var ref bytes.Buffer
		enc := json.NewEncoder(&ref)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got, want := string(appendString(nil, s)), strings.TrimSuffix(ref.String(), "\n"); got != want {
			t.Fatalf("appendString(%q) = %s, encoding/json: %s", s, got, want)
		}
	}
	// Long enough for appendString's 8-byte steps, c at every offset.
	const plain = "abcdefghijklmnopqrstuvwxyz<&>/'ABCDEFGH"
	for c := range 256 {
		check(string([]byte{byte(c)}))
		check(string([]byte{0xe2, 0x80, byte(c)}))
		for i := range 24 {
			check(plain[:i] + string([]byte{byte(c)}) + plain[i:])
			check(plain[:i] + string([]byte{0xe2, 0x80, byte(c)}) + plain[i:])
		}
		check(strings.Repeat(string([]byte{byte(c)}), 17))
	}
	for r := rune(0); r < 0x11000; r++ {
		check(string(r) + "x")
		check(plain[:int(r)%17] + string(r) + plain)
	}
	check(string(utf8.MaxRune))
	for _, s := range hostileStrings {
		check(s)
	}
	compareNDJSON(t, hostileDrift(string(allBytes())))
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestAppendNDJSONFloats compares float formatting around encoding/json's
// cutoffs and at random-ish bit patterns.
func TestAppendNDJSONFloats(t *testing.T) {
	var floats []float64
	for _, base := range []float64{1e-6, 1e21, 1e-7, 1e20, 1, 0.1, 123456789, math.MaxFloat32, math.SmallestNonzeroFloat32} {
		for _, f := range []float64{base, math.Nextafter(base, 0), math.Nextafter(base, math.Inf(1))} {
			floats = append(floats, f, -f)
		}
	}
	for i := uint64(1); i < 1<<63 && i != 0; i = i*3 + 1 {
		floats = append(floats, math.Float64frombits(i), math.Float64frombits(i<<1|1<<63))
	}
	for _, f := range floats {
		for _, v := range []any{f, float32(f)} {
			compareNDJSON(t, valueDrift(v))
		}
	}
}

func TestAppendNDJSONNumbers(t *testing.T) {
	for _, n := range []string{"", "0", "-0", "1", "-1", "0.5", "1.5e10", "1E-2", "1e+2", "-0.0e0", "00", "1.", ".5", "+1",
		"1e", "1e+", "1e-", "1.e1", "0x10", "Infinity", "NaN", "1 ", "--1", "-", "1.5.5", "1e5e5", "١"} {
		compareNDJSON(t, valueDrift(json.Number(n)))
	}
}

// TestAppendNDJSONGrowsBuffer checks appends to full, empty and large
// buffers.
func TestAppendNDJSONGrowsBuffer(t *testing.T) {
	big := seedIAMDrift()
	big.Changes["big"] = AttrChange{Actual: strings.Repeat("x<", 5000)}
	for _, d := range []*Drift{seedIAMDrift(), big} {
		var want bytes.Buffer
		if err := referenceNDJSON(d, &want); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{0, 1, 100, 1023, 1024, 1025, 4096, 20000} {
			buf := bytes.NewBuffer(make([]byte, 0, size))
			buf.WriteString(strings.Repeat("p", size/2))
			for range 3 {
				if err := d.AppendNDJSON(buf); err != nil {
					t.Fatal(err)
				}
			}
			if want := strings.Repeat("p", size/2) + strings.Repeat(want.String(), 3); buf.String() != want {
				t.Fatalf("cap %d: got %q", size, buf.String())
			}
		}
	}
}

// TestNDJSONTypesUnchanged pins the types AppendNDJSON mirrors: a field
// added, renamed or retagged, or a MarshalJSON/MarshalText method (which
// encoding/json would honour), needs ndjson.go changed too.
func TestNDJSONTypesUnchanged(t *testing.T) {
	want := map[reflect.Type]string{
		reflect.TypeFor[Record](): "EventID string event_id|EventType string event_type|Timestamp string timestamp|" +
			"DetectedAt string detected_at|Provider string provider|AccountID string account_id|Region string region|" +
			"ResourceType string resource_type|ResourceID string resource_id|ResourceAddress string resource_address|" +
			"ChangeType drift.ChangeType change_type|Severity drift.Severity severity|Rules []string rules|Tags []string tags|" +
			"User string user|UserIdentity change.Actor user_identity|CloudTrailEvent string cloudtrail_event|" +
			"Changes map[string]drift.AttrChange changes|Pending bool pending,omitempty|TakesEffect string takes_effect,omitempty|CloudTrail drift.AuditRecord cloudtrail|Terraform drift.Location terraform|" +
			"Fingerprint string fingerprint",
		reflect.TypeFor[AuditRecord](): "EventID string event_id|EventName string event_name|Source string event_source,omitempty|" +
			"SourceIP string source_ip|UserAgent string user_agent",
		reflect.TypeFor[AttrChange](): "Expected interface {} expected|Actual interface {} actual|Diff string diff,omitempty|" +
			"Unknown bool unknown,omitempty",
		reflect.TypeFor[Location](): "State string state,omitempty|Workspace string workspace,omitempty|Module string module,omitempty|" +
			"ModuleAddress string module_address,omitempty|File string file,omitempty|Line int line,omitempty|" +
			"EndLine int end_line,omitempty|Remote string remote_source,omitempty|Repo string repo,omitempty|" +
			"Root string root,omitempty|Ref string ref,omitempty",
		reflect.TypeFor[change.Actor](): "Type string type|PrincipalID string principal_id|ARN string arn|" +
			"AccountID string account_id|UserName string username|IssuerARN string issuer_arn,omitempty",
	}
	for typ, fields := range want {
		var got []string
		for f := range typ.Fields() {
			got = append(got, fmt.Sprintf("%s %s %s", f.Name, f.Type, f.Tag.Get("json")))
		}
		if g := strings.Join(got, "|"); g != fields {
			t.Errorf("%s changed: update ndjson.go and this test\ngot  %s\nwant %s", typ, g, fields)
		}
	}
	marshalers := []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()}
	for _, typ := range []reflect.Type{reflect.TypeFor[Record](), reflect.TypeFor[AuditRecord](), reflect.TypeFor[AttrChange](),
		reflect.TypeFor[Location](), reflect.TypeFor[change.Actor](), reflect.TypeFor[ChangeType](), reflect.TypeFor[Severity]()} {
		for _, m := range marshalers {
			if typ.Implements(m) || reflect.PointerTo(typ).Implements(m) {
				t.Errorf("%s implements %s: ndjson.go must call it", typ, m)
			}
		}
	}
}

// FuzzAppendNDJSON builds drifts from fuzzer input; AppendNDJSON must
// match encoding/json byte for byte, errors included.
func FuzzAppendNDJSON(f *testing.F) {
	seed := seedIAMDrift()
	policy := seed.Changes["policy"]
	f.Add(seed.ResourceAddress, seed.Event.Actor.UserName, policy.Diff, "123", uint16(0), seed.Terraform.Line,
		seed.Event.Time.Unix(), int64(0), []byte(`{"a":[1,2.5,"x"],"b":null}`), []byte(policy.Actual.(string)), 0.5)
	f.Add("", "", "", "", uint16(0xffff), 0, int64(0), int64(0), []byte(nil), []byte(nil), 0.0)
	for i, s := range hostileStrings {
		f.Add(s, s+"<>", strings.ToUpper(s), "1e-7", uint16(i*4099), -i, int64(i)<<40, int64(i*3600),
			[]byte(`{"\u2028":"`+s+`","n":-0.0,"big":1e400}`), []byte(s), math.Float64frombits(uint64(i)*0x9e3779b97f4a7c15))
	}
	f.Add("k", "v", "d", "NaN", uint16(1), 1, int64(-62135596800), int64(-86400), []byte(`[[[[{"a":{}}]]]]`), []byte(`1e-7`), math.Inf(1))
	f.Add("k", "v", "d", "", uint16(2), 1, int64(253402300800), int64(50400), []byte(`"\ud800"`), []byte(`-0`), math.NaN())
	f.Add("k", "v", "d", "-0.5E+10", uint16(3), 1, int64(1), int64(-50400), []byte(`{"b":1,"a":2,"B":3}`), []byte(`[]`), 1e21)
	f.Fuzz(func(t *testing.T, s1, s2, s3, num string, mask uint16, line int, sec, offset int64, blob1, blob2 []byte, fl float64) {
		compareNDJSON(t, fuzzDrift(s1, s2, s3, num, mask, line, sec, offset, blob1, blob2, fl))
	})
}

// fuzzDrift spreads the fuzzer's values over a drift; mask leaves parts
// out.
func fuzzDrift(s1, s2, s3, num string, mask uint16, line int, sec, offset int64, blob1, blob2 []byte, fl float64) *Drift {
	bit := func(i int) bool { return mask&(1<<i) != 0 }
	zone := time.FixedZone(s3, int(offset%(100*3600)))
	d := &Drift{
		EventID: s1, ChangeType: ChangeType(s2), ResourceType: s3, ResourceID: s1 + s2, ResourceAddress: s2,
		DetectedAt: time.Unix(sec, offset).In(zone), Severity: Severity(s3), Fingerprint: s2 + s3,
		Terraform: Location{State: s1, Module: s2, File: s3, Line: line},
	}
	if !bit(0) {
		d.Rules = []string{s1, s3}
	}
	if !bit(1) {
		d.Tags = []string{s2}
	} else if bit(2) {
		d.Tags = []string{}
	}
	if bit(3) {
		d.Terraform = Location{Workspace: s1, ModuleAddress: s2, Remote: s3, Repo: s1, Ref: s2}
	}
	if bit(11) {
		d.Pending, d.TakesEffect = true, s3
	}
	if !bit(4) {
		d.Event = &change.Change{Provider: change.Provider(s1), Account: s2, Region: s3, EventName: s1, EventID: s2,
			Time: time.Unix(-sec, 0), SourceIP: s3, UserAgent: s1,
			Actor: change.Actor{Type: s1, PrincipalID: s2, ARN: s3, AccountID: s1, UserName: s2}}
		if bit(5) {
			d.Event.RawEventName, d.Event.Service, d.Event.Actor.IssuerARN, d.Event.Actor.UserName = s3, s1, s2, ""
		}
	}
	if bit(6) {
		return d // nil Changes
	}
	var expected, actual any
	if err := decodeJSON(blob1, true, &expected); err != nil {
		expected = string(blob1)
	}
	if err := decodeJSON(blob2, false, &actual); err != nil {
		actual = blob2 // []byte: encoding/json's base64
	}
	d.Changes = map[string]AttrChange{
		s1:        {Expected: expected, Actual: actual, Diff: s2, Unknown: bit(7)},
		s2 + "\n": {Expected: json.Number(num), Actual: fl, Unknown: bit(8)},
		s3 + "<":  {Expected: float32(fl), Actual: map[string]any{s1: expected, s2: []any{actual, num}, s3: nil}},
	}
	if bit(9) {
		d.Changes[num] = AttrChange{Expected: []string{s1, s2}, Actual: []map[string]any{{s3: expected}}}
	}
	if bit(10) {
		d.Changes[s3] = AttrChange{Expected: map[string]string{s1: s2, s3: num}, Actual: []any{int(sec), uint32(offset), named(s1)}}
	}
	return d
}

func decodeJSON(b []byte, useNumber bool, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if useNumber {
		dec.UseNumber()
	}
	return dec.Decode(v)
}

var benchDrifts = map[string]func() *Drift{
	"iam": seedIAMDrift,
	"nested": func() *Drift {
		d := seedIAMDrift()
		d.Changes["ingress"] = AttrChange{
			Expected: []any{map[string]any{"protocol": "tcp", "from_port": json.Number("443"), "to_port": json.Number("443"),
				"cidr_blocks": []any{"10.0.0.0/8"}, "description": "https", "self": false}},
			Actual: []any{map[string]any{"protocol": "tcp", "from_port": json.Number("443"), "to_port": json.Number("443"),
				"cidr_blocks": []any{"0.0.0.0/0"}, "description": "https <open>", "self": false},
				map[string]any{"protocol": "-1", "from_port": json.Number("0"), "to_port": json.Number("0"),
					"cidr_blocks": []any{}, "description": "", "self": true}},
			Diff: "ingress opened to 0.0.0.0/0",
		}
		d.Changes["tags"] = AttrChange{Expected: map[string]any{"env": "prod"}, Actual: map[string]any{"env": "prod", "owner": "bob"}}
		d.Changes["instance_count"] = AttrChange{Expected: 2.0, Actual: 3.0}
		return d
	},
}

// BenchmarkAppendNDJSON compares AppendNDJSON with encoding/json, with
// the buffer reused (as app's jsonOutput does) or new each time (as
// app/store does).
func BenchmarkAppendNDJSON(b *testing.B) {
	impls := map[string]func(*Drift, *bytes.Buffer) error{
		"new":       (*Drift).AppendNDJSON,
		"reference": referenceNDJSON,
	}
	for _, name := range slices.Sorted(maps.Keys(benchDrifts)) {
		d := benchDrifts[name]()
		for _, reuse := range []bool{true, false} {
			for _, impl := range []string{"new", "reference"} {
				b.Run(fmt.Sprintf("%s/reuse=%t/%s", name, reuse, impl), func(b *testing.B) {
					var buf bytes.Buffer
					b.ReportAllocs()
					for b.Loop() {
						if reuse {
							buf.Reset()
						} else {
							buf = bytes.Buffer{}
						}
						if err := impls[impl](d, &buf); err != nil {
							b.Fatal(err)
						}
					}
					b.SetBytes(int64(buf.Len()))
				})
			}
		}
	}
}
