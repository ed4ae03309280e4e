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

	"github.com/tfdrift/tfdrift/detector/change"
)

// auditRecords holds audit records of the shapes CloudTrail and GCP
// Cloud Audit Logs write, and of the shapes a SIEM's data lake rewrites
// them into (lower-cased keys, p_* enrichment, fields flattened out of
// protoPayload). The values are invented: documentation account IDs and
// address ranges, example.com people. Each file is a JSON array of
// {"name": …, "log": record}.
const auditRecords = "testdata/audit"

// auditRecord is one named record of a file under auditRecords.
type auditRecord struct {
	file, name string
	json       []byte
}

func loadAuditRecords(t *testing.T) []auditRecord {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(auditRecords, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no records in %s", auditRecords)
	}
	var out []auditRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var recs []struct {
			Name string          `json:"name"`
			Log  json.RawMessage `json:"log"`
		}
		if err := json.Unmarshal(data, &recs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range recs {
			if r.Name == "" || len(r.Log) == 0 {
				t.Fatalf("%s: a record without name or log", f)
			}
			out = append(out, auditRecord{file: filepath.Base(f), name: r.Name, json: r.Log})
		}
	}
	return out
}

// TestAuditRecords decodes every record under testdata/audit. Records
// that a data lake (Panther's) rewrote (lower-cased keys such as eventname or
// protopayload, p_* enrichment keys, GCP fields flattened out of
// protoPayload) are not raw CloudTrail or GCP audit JSON: the decoder must
// reject them with an error that says what they are, not guess.
func TestAuditRecords(t *testing.T) {
	const (
		panther   = "record normalised by Panther"
		flattened = "methodName outside protoPayload"
	)
	// wantErr lists the records that must fail, by file and test name,
	// with a fragment of the expected error. Every other record must
	// decode.
	wantErr := map[[2]string]string{
		{"ec2_security_groups.json", "Console ingress, normalised by Panther"}:        panther,
		{"ec2_security_groups.json", "Console ingress denied, normalised by Panther"}: panther,
		{"ec2_instances.json", "Instance type change, normalised by Panther"}:         panther,
		{"ec2_instances.json", "Image attribute change, normalised by Panther"}:       panther,
		{"gcp_firewalls.json", "App Engine rule, normalised by Panther"}:              panther,
		{"gcp_firewalls.json", "Method name outside protoPayload"}:                    flattened,
		{"gcp_firewalls.json", "App Engine method name outside protoPayload"}:         flattened,
	}
	records := loadAuditRecords(t)
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
		t.Errorf("decoded %d audit records, want %d", decoded, want)
	}
}

// TestAuditRecordFields checks every field of a few records.
func TestAuditRecordFields(t *testing.T) {
	byName := make(map[[2]string][]byte)
	for _, rec := range loadAuditRecords(t) {
		byName[[2]string{rec.file, rec.name}] = rec.json
	}
	tests := []struct {
		file, name string
		want       change.Change
	}{
		{
			// An AssumedRole caller is named by its session, not its role.
			file: "ec2_security_groups.json", name: "SDK script opens SSH to the world",
			want: change.Change{
				Provider: change.AWS, Account: "444455556666", Region: "us-west-2", Service: "ec2.amazonaws.com",
				EventName: "AuthorizeSecurityGroupIngress", RawEventName: "AuthorizeSecurityGroupIngress",
				EventID: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", Time: time.Date(2023, 9, 2, 13, 5, 27, 0, time.UTC),
				Actor: change.Actor{
					Type: "AssumedRole", PrincipalID: "AROAEXAMPLEOPERATOR1:dana@example.com",
					ARN:       "arn:aws:sts::444455556666:assumed-role/Operator/dana@example.com",
					AccountID: "444455556666", UserName: "dana@example.com",
					IssuerARN: "arn:aws:iam::444455556666:role/Operator",
				},
				SourceIP:  "198.51.100.77",
				UserAgent: "aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.118.0",
				Request: json.RawMessage(`{"groupId":"sg-05a4b3c2d1e0f9a8b","ipPermissions":{"items":[{"ipProtocol":"tcp",
					"fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`),
				Response: json.RawMessage(`{"requestId":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","_return":true}`),
				Source:   "cloudtrail", Origin: "ec2_security_groups.json#1",
			},
		},
		{
			// A denied call is decoded, with its error: the caller drops it.
			file: "s3.json", name: "Bucket encryption removal denied",
			want: change.Change{
				Provider: change.AWS, Account: "444455556666", Region: "eu-west-1", Service: "s3.amazonaws.com",
				EventName: "DeleteBucketEncryption", RawEventName: "DeleteBucketEncryption",
				EventID: "27182818-2845-4904-9235-360287471352", Time: time.Date(2024, 7, 21, 22, 20, 45, 0, time.UTC),
				Actor: change.Actor{
					Type: "IAMUser", PrincipalID: "AIDAEXAMPLEREADER01", ARN: "arn:aws:iam::444455556666:user/report-reader",
					AccountID: "444455556666", UserName: "report-reader",
				},
				SourceIP:  "198.51.100.23",
				UserAgent: "aws-cli/2.17.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.4 command/s3api.delete-bucket-encryption",
				ErrorCode: "AccessDenied", ErrorMessage: "Access Denied",
				Request: json.RawMessage(`{"bucketName":"example-invoices","Host":"example-invoices.s3.eu-west-1.amazonaws.com"}`),
				Source:  "cloudtrail", Origin: "s3.json#1",
			},
		},
		{
			// No readOnly flag: read-only is inferred from Describe*.
			// responseElements is null, so Response is nil.
			file: "ec2_security_groups.json", name: "Describe security groups without a readOnly flag",
			want: change.Change{
				Provider: change.AWS, Account: "111122223333", Region: "ap-southeast-2", Service: "ec2.amazonaws.com",
				EventName: "DescribeSecurityGroups", RawEventName: "DescribeSecurityGroups",
				EventID: "2", Time: time.Date(2022, 2, 3, 4, 5, 6, 0, time.UTC),
				Actor: change.Actor{
					Type: "AssumedRole", PrincipalID: "AROAEXAMPLEAUDITOR1:audit-bot", ARN: "arn:aws:sts::111122223333:assumed-role/Auditor/audit-bot",
					AccountID: "111122223333", UserName: "audit-bot", IssuerARN: "arn:aws:iam::111122223333:role/Auditor",
				},
				SourceIP: "198.51.100.9", UserAgent: "Boto3/1.26.0 Python/3.11.2 Linux/6.1.0 Botocore/1.29.0", ReadOnly: true,
				Request: json.RawMessage(`{"securityGroupSet":{},"securityGroupIdSet":{},
					"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-0123abcd"}]}}]}}`),
				Source: "cloudtrail", Origin: "ec2_security_groups.json#1",
			},
		},
		{
			// An AWS service acting on its own is named by invokedBy.
			file: "s3.json", name: "A service puts the public access block back",
			want: change.Change{
				Provider: change.AWS, Account: "444455556666", Region: "eu-west-1", Service: "s3.amazonaws.com",
				EventName: "PutBucketPublicAccessBlock", RawEventName: "PutBucketPublicAccessBlock",
				EventID: "22360679-7749-4789-a696-964091736687", Time: time.Date(2024, 8, 1, 9, 30, 0, 0, time.UTC),
				Actor:    change.Actor{Type: "AWSService", UserName: "cloudformation.amazonaws.com"},
				SourceIP: "cloudformation.amazonaws.com", UserAgent: "cloudformation.amazonaws.com",
				Request: json.RawMessage(`{"bucketName":"example-static-site","Host":"s3.eu-west-1.amazonaws.com","publicAccessBlock":"",
					"PublicAccessBlockConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","BlockPublicAcls":true,
					"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}`),
				Source: "cloudtrail", Origin: "s3.json#1",
			},
		},
		{
			// GCP: the version prefix is dropped from the method; an
			// impersonated service account names the person behind it.
			file: "gcp_firewalls.json", name: "Firewall rule patched by an impersonated service account",
			want: change.Change{
				Provider: change.GCP, Account: "example-project-4711", Service: "compute.googleapis.com",
				EventName: "compute.firewalls.patch", RawEventName: "v1.compute.firewalls.patch",
				EventID: "-p7x1w5r8t2b", Time: time.Date(2024, 5, 29, 16, 35, 0, 420e6, time.UTC),
				Actor: change.Actor{
					Type: "serviceAccount", ARN: "serviceAccount:deployer@example-project-4711.iam.gserviceaccount.com",
					AccountID: "example-project-4711", UserName: "deployer@example-project-4711.iam.gserviceaccount.com",
					IssuerARN: "user:oren@example.com",
				},
				SourceIP:  "198.51.100.140",
				UserAgent: "google-cloud-sdk gcloud/480.0.0 command/gcloud.compute.firewall-rules.update,gzip(gfe)",
				Request:   json.RawMessage(`{"@type":"type.googleapis.com/compute.firewalls.patch","denieds":[{"IPProtocol":"all"}]}`),
				Response: json.RawMessage(`{"@type":"type.googleapis.com/operation","id":"2345678901234567890","operationType":"patch",
					"progress":"0","status":"RUNNING","targetId":"9876543210987654321","user":"deployer@example-project-4711.iam.gserviceaccount.com"}`),
				ResourceName: "projects/example-project-4711/global/firewalls/allow-https",
				Source:       "gcp-audit", Origin: "gcp_firewalls.json#1",
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
