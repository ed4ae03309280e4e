package decode

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/detector/change"
)

// publicFixtures is where the shared real-world audit records live (copies
// of Panther detection-rule test files; see their README).
const publicFixtures = "../../../shared/fixtures/public"

// publicRecord is one Tests[].Log record of a Panther rule file, as JSON.
type publicRecord struct {
	file, name string
	json       []byte
}

func loadPublicRecords(t *testing.T) []publicRecord {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(publicFixtures, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures in %s", publicFixtures)
	}
	var out []publicRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Tests []struct {
				Name string `yaml:"Name"`
				Log  any    `yaml:"Log"`
			} `yaml:"Tests"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tc := range doc.Tests {
			j, err := json.Marshal(tc.Log)
			if err != nil {
				t.Fatalf("%s: %s: %v", f, tc.Name, err)
			}
			out = append(out, publicRecord{file: filepath.Base(f), name: tc.Name, json: j})
		}
	}
	return out
}

// TestPublicFixtures decodes every record of the public fixtures. Records
// that Panther's data lake rewrote (lower-cased keys such as eventname or
// protopayload, p_* enrichment keys, GCP fields flattened out of
// protoPayload) are not raw CloudTrail or GCP audit JSON: the decoder must
// reject them with an error that says what they are, not guess.
func TestPublicFixtures(t *testing.T) {
	const (
		panther   = "record normalised by Panther"
		flattened = "methodName outside protoPayload"
	)
	// wantErr lists the records that must fail, by file and test name,
	// with a fragment of the expected error. Every other record must
	// decode.
	wantErr := map[[2]string]string{
		{"panther__aws_ec2_manual_security_group_changes.yml", "AWS Console - Ingress SG Authorization"}:             panther,
		{"panther__aws_ec2_manual_security_group_changes.yml", "AWS Console - Ingress SG Authorization Error"}:       panther,
		{"panther__aws_ec2_startup_script_change.yml", "ModifyInstanceAttribute-NoUserData"}:                         panther,
		{"panther__aws_ec2_startup_script_change.yml", "NoModifyInstanceAttribute"}:                                  panther,
		{"panther__gcp_firewall_rule_created.yml", "appengine.firewall.create-should-alert"}:                         panther,
		{"panther__gcp_firewall_rule_created.yml", "compute.non-create.firewall.method-should-not-alert"}:            flattened,
		{"panther__gcp_firewall_rule_created.yml", "appengine.compute.non-create.firewall.method-should-not-alert"}:  flattened,
		{"panther__gcp_firewall_rule_modified.yml", "appengine.firewall.update-should-alert"}:                        panther,
		{"panther__gcp_firewall_rule_modified.yml", "compute.non-update.firewall.method-should-not-alert"}:           flattened,
		{"panther__gcp_firewall_rule_modified.yml", "appengine.compute.non-update.firewall.method-should-not-alert"}: flattened,
	}
	records := loadPublicRecords(t)
	decoded := 0
	for _, rec := range records {
		t.Run(rec.file+"/"+rec.name, func(t *testing.T) {
			changes, err := Decode(rec.json, Options{Name: rec.file})
			if frag, ok := wantErr[[2]string{rec.file, rec.name}]; ok {
				if err == nil || !strings.Contains(err.Error(), frag) {
					t.Fatalf("Decode error = %v, want one containing %q", err, frag)
				}
				var re *RecordError
				if !errors.As(err, &re) || re.Input != rec.file || re.Index != 1 {
					t.Errorf("error %v does not name input %s record 1", err, rec.file)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(changes) != 1 {
				t.Fatalf("got %d changes, want 1", len(changes))
			}
			ch := changes[0]
			if ch.EventName == "" || ch.Time.IsZero() || ch.Provider == "" || ch.Actor.UserName == "" || len(ch.Raw) == 0 {
				t.Errorf("incomplete change: %+v", ch)
			}
			decoded++
		})
	}
	if want := len(records) - len(wantErr); decoded != want {
		t.Errorf("decoded %d public records, want %d", decoded, want)
	}
}

// TestPublicFixtureFields checks every field of a few public records.
func TestPublicFixtureFields(t *testing.T) {
	byName := make(map[[2]string][]byte)
	for _, rec := range loadPublicRecords(t) {
		byName[[2]string{rec.file, rec.name}] = rec.json
	}
	tests := []struct {
		file, name string
		want       change.Change
	}{
		{
			// An AssumedRole caller is named by its session, not its role.
			file: "panther__aws_ec2_manual_security_group_changes.yml", name: "Go Script Authorize Ingress",
			want: change.Change{
				Provider: change.AWS, Account: "112233445566", Region: "us-east-1", Service: "ec2.amazonaws.com",
				EventName: "AuthorizeSecurityGroupIngress", RawEventName: "AuthorizeSecurityGroupIngress",
				EventID: "42155429-7e8e-43b5-9b5e-6953f80d51d5", Time: time.Date(2020, 4, 30, 4, 40, 52, 0, time.UTC),
				Actor: change.Actor{
					Type: "AssumedRole", PrincipalID: "AROAIZCYMDBM4SJU65M54:ryan@example.com",
					ARN:       "arn:aws:sts::112233445566:assumed-role/Operator/ryan@example.com",
					AccountID: "112233445566", UserName: "ryan@example.com",
					IssuerARN: "arn:aws:iam::112233445566:role/Operator",
				},
				SourceIP: "100.1.114.142", UserAgent: "aws-sdk-go/1.24.1 (go1.14; darwin; amd64)",
				Request: json.RawMessage(`{"groupId":"sg-0d921df5d84f7270a","ipPermissions":{"items":[{"ipProtocol":"tcp",
					"fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`),
				Response: json.RawMessage(`{"requestId":"2be70b99-4937-4a76-b7d9-390b6d0eda73","_return":true}`),
				Source:   "cloudtrail", Origin: "panther__aws_ec2_manual_security_group_changes.yml#1",
			},
		},
		{
			// A denied call is decoded, with its error: the caller drops it.
			file: "panther__aws_s3_delete_bucket_encryption.yml", name: "Bucket Encryption Deletion Failed",
			want: change.Change{
				Provider: change.AWS, Account: "111111111111", Region: "us-east-1", Service: "s3.amazonaws.com",
				EventName: "DeleteBucketEncryption", RawEventName: "DeleteBucketEncryption",
				EventID: "12345678-1234-1234-1234-111111111111", Time: time.Date(2024, 1, 15, 10, 45, 23, 0, time.UTC),
				Actor: change.Actor{
					Type: "IAMUser", PrincipalID: "AIDAI23HXS4EXAMPLE", ARN: "arn:aws:iam::111111111111:user/testuser",
					AccountID: "111111111111", UserName: "testuser",
				},
				SourceIP: "1.2.3.4", UserAgent: "aws-cli/2.13.0 Python/3.11.4 Linux/5.10.0-1234-aws exe/x86_64.ubuntu.22",
				ErrorCode: "AccessDenied", ErrorMessage: "Access Denied",
				Request: json.RawMessage(`{"bucketName":"sensitive-data-bucket","host":"sample-bucket-pensive-jones.s3.amazonaws.com"}`),
				Source:  "cloudtrail", Origin: "panther__aws_s3_delete_bucket_encryption.yml#1",
			},
		},
		{
			// No readOnly flag: read-only is inferred from Describe*.
			// responseElements is null, so Response is nil.
			file: "panther__aws_ec2_security_group_modified.yml", name: "Security Group Not Modified",
			want: change.Change{
				Provider: change.AWS, Account: "123456789012", Region: "us-west-2", Service: "ec2.amazonaws.com",
				EventName: "DescribeSecurityGroups", RawEventName: "DescribeSecurityGroups",
				EventID: "1", Time: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
				Actor: change.Actor{
					Type: "AssumedRole", PrincipalID: "1111:tester", ARN: "arn:aws:sts::123456789012:assumed-role/tester",
					AccountID: "123456789012", UserName: "tester", IssuerARN: "arn:aws:iam::123456789012:role/tester",
				},
				SourceIP: "111.111.111.111", UserAgent: "Mozilla", ReadOnly: true,
				Request: json.RawMessage(`{"securityGroupSet":{},"securityGroupIdSet":{},
					"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-1"}]}}]}}`),
				Source: "cloudtrail", Origin: "panther__aws_ec2_security_group_modified.yml#1",
			},
		},
		{
			file: "panther__gcp_firewall_rule_modified.yml", name: "compute.firewalls.update-should-alert",
			want: change.Change{
				Provider: change.GCP, Account: "test-project-123456", Service: "compute.googleapis.com",
				EventName: "compute.firewalls.patch", RawEventName: "v1.compute.firewalls.patch",
				EventID: "-xxxxxxxxxxxx", Time: time.Date(2023, 5, 23, 19, 19, 40, 353e6, time.UTC),
				Actor:    change.Actor{Type: "user", ARN: "user:user@domain.com", UserName: "user@domain.com"},
				SourceIP: "12.12.12.12",
				UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) " +
					"Chrome/113.0.0.0 Safari/537.36,gzip(gfe),gzip(gfe)",
				Request: json.RawMessage(`{"@type":"type.googleapis.com/compute.firewalls.patch","denieds":[{"IPProtocol":"all"}]}`),
				Response: json.RawMessage(`{"@type":"type.googleapis.com/operation","id":"896785227463044899",
					"insertTime":"2023-05-23T12:19:40.876-07:00","name":"operation-1684869580331-5fc6144d418a9-e1332ca3-59c615ac",
					"operationType":"patch","progress":"0",
					"selfLink":"https://www.googleapis.com/compute/v1/projects/test-project-123456/global/operations/operation-1684869580331-5fc6144d418a9-e1332ca3-59c615ac",
					"selfLinkWithId":"https://www.googleapis.com/compute/v1/projects/test-project-123456/global/operations/896785227463044899",
					"startTime":"2023-05-23T12:19:40.888-07:00","status":"RUNNING","targetId":"6563507997690081088",
					"targetLink":"https://www.googleapis.com/compute/v1/projects/test-project-123456/global/firewalls/firewall-create",
					"user":"user@domain.com"}`),
				ResourceName: "projects/test-project-123456/global/firewalls/firewall-create",
				Source:       "gcp-audit", Origin: "panther__gcp_firewall_rule_modified.yml#1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, ok := byName[[2]string{tt.file, tt.name}]
			if !ok {
				t.Fatalf("fixture %s / %s not found", tt.file, tt.name)
			}
			changes, err := Decode(data, Options{Name: tt.file})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(changes) != 1 {
				t.Fatalf("got %d changes, want 1", len(changes))
			}
			if diff := cmp.Diff(&tt.want, changes[0], changeCmp...); diff != "" {
				t.Errorf("change mismatch (-want +got):\n%s", diff)
			}
			if !jsonEqual(changes[0].Raw, data) {
				t.Errorf("Raw is not the record")
			}
		})
	}
}

// changeCmp compares Changes with JSON payloads compared as JSON values
// and Raw ignored (tests check it separately).
var changeCmp = []cmp.Option{
	cmpopts.IgnoreFields(change.Change{}, "Raw"),
	cmp.Comparer(func(a, b json.RawMessage) bool { return jsonEqual(a, b) }),
}

// jsonEqual reports whether a and b hold the same JSON value (both empty
// counts as equal).
func jsonEqual(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
