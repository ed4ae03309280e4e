package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// ctRecordJSON builds a small CloudTrail record; extra members are
// appended verbatim (`"k":v` pairs).
func ctRecordJSON(name string, extra ...string) string {
	members := []string{
		`"eventVersion":"1.08"`,
		`"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"}`,
		`"eventTime":"2025-01-20T14:32:15Z"`,
		`"eventSource":"ec2.amazonaws.com"`,
		`"eventName":"` + name + `"`,
		`"awsRegion":"us-east-1"`,
		`"sourceIPAddress":"203.0.113.42"`,
		`"userAgent":"aws-cli/2.15.0"`,
		`"requestParameters":{"groupId":"sg-1"}`,
		`"responseElements":null`,
		`"eventID":"id-` + name + `"`,
		`"recipientAccountId":"123456789012"`,
	}
	return "{" + strings.Join(append(members, extra...), ",") + "}"
}

func TestAWSActor(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want change.Actor
	}{
		{
			name: "IAM user",
			id:   `{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::1:user/ops/alice","accountId":"1","userName":"alice"}`,
			want: change.Actor{Type: "IAMUser", PrincipalID: "AIDA1", ARN: "arn:aws:iam::1:user/ops/alice", AccountID: "1", UserName: "alice"},
		},
		{
			name: "IAM user without userName takes the ARN's last segment",
			id:   `{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::1:user/ops/alice","accountId":"1"}`,
			want: change.Actor{Type: "IAMUser", PrincipalID: "AIDA1", ARN: "arn:aws:iam::1:user/ops/alice", AccountID: "1", UserName: "alice"},
		},
		{
			name: "SSO session is named by the session, the role is the issuer",
			id: `{"type":"AssumedRole","principalId":"AROA1:bob@example.com",
				"arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_abc/bob@example.com","accountId":"1",
				"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc","userName":"AWSReservedSSO_Admin_abc"}}}`,
			want: change.Actor{Type: "AssumedRole", PrincipalID: "AROA1:bob@example.com",
				ARN: "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_abc/bob@example.com", AccountID: "1",
				UserName: "bob@example.com", IssuerARN: "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc"},
		},
		{
			name: "assumed role without a session in the ARN uses the principal ID",
			id:   `{"type":"AssumedRole","principalId":"AROA1:i-0abc","arn":"arn:aws:sts::1:assumed-role/ec2-role","accountId":"1"}`,
			want: change.Actor{Type: "AssumedRole", PrincipalID: "AROA1:i-0abc", ARN: "arn:aws:sts::1:assumed-role/ec2-role", AccountID: "1", UserName: "i-0abc"},
		},
		{
			name: "assumed role with neither falls back to the principal ID",
			id:   `{"type":"AssumedRole","principalId":"AROA1","accountId":"1"}`,
			want: change.Actor{Type: "AssumedRole", PrincipalID: "AROA1", AccountID: "1", UserName: "AROA1"},
		},
		{
			name: "root",
			id:   `{"type":"Root","principalId":"1","arn":"arn:aws:iam::1:root","accountId":"1","userName":"my-alias"}`,
			want: change.Actor{Type: "Root", PrincipalID: "1", ARN: "arn:aws:iam::1:root", AccountID: "1", UserName: "root"},
		},
		{
			name: "AWS service",
			id:   `{"type":"AWSService","invokedBy":"autoscaling.amazonaws.com"}`,
			want: change.Actor{Type: "AWSService", UserName: "autoscaling.amazonaws.com"},
		},
		{
			name: "federated user",
			id: `{"type":"FederatedUser","principalId":"1:carol","arn":"arn:aws:sts::1:federated-user/carol","accountId":"1",
				"sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::1:user/broker","userName":"broker"}}}`,
			want: change.Actor{Type: "FederatedUser", PrincipalID: "1:carol", ARN: "arn:aws:sts::1:federated-user/carol",
				AccountID: "1", UserName: "carol", IssuerARN: "arn:aws:iam::1:user/broker"},
		},
		{
			name: "Identity Center user",
			id: `{"type":"IdentityCenterUser","accountId":"1","onBehalfOf":{"userId":"5448-user",
				"identityStoreArn":"arn:aws:identitystore::1:identitystore/d-1"},"credentialId":"X"}`,
			want: change.Actor{Type: "IdentityCenterUser", PrincipalID: "5448-user", AccountID: "1", UserName: "5448-user",
				IssuerARN: "arn:aws:identitystore::1:identitystore/d-1"},
		},
		{
			name: "another account",
			id:   `{"type":"AWSAccount","principalId":"AIDA2","accountId":"2"}`,
			want: change.Actor{Type: "AWSAccount", PrincipalID: "AIDA2", AccountID: "2", UserName: "AIDA2"},
		},
		{
			name: "SAML user",
			id:   `{"type":"SAMLUser","principalId":"q:sub","userName":"dan@example.com","identityProvider":"idp"}`,
			want: change.Actor{Type: "SAMLUser", PrincipalID: "q:sub", UserName: "dan@example.com"},
		},
		{
			name: "unknown type with an assumed-role ARN still names the session",
			id:   `{"type":"Something","arn":"arn:aws:sts::1:assumed-role/R/eve"}`,
			want: change.Actor{Type: "Something", ARN: "arn:aws:sts::1:assumed-role/R/eve", UserName: "eve"},
		},
		{
			name: "empty identity is never nameless",
			id:   `{}`,
			want: change.Actor{UserName: "unknown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m memberReader
			id := m.identity("userIdentity", []byte(tt.id))
			if m.err != nil {
				t.Fatal(m.err)
			}
			if diff := cmp.Diff(tt.want, awsActor(id)); diff != "" {
				t.Errorf("awsActor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGCPActor(t *testing.T) {
	tests := []struct {
		name string
		ai   gcpAuthInfo
		want change.Actor
	}{
		{
			name: "user",
			ai:   gcpAuthInfo{PrincipalEmail: "alice@example.com", PrincipalSubject: "user:alice@example.com"},
			want: change.Actor{Type: "user", PrincipalID: "user:alice@example.com", ARN: "user:alice@example.com", UserName: "alice@example.com"},
		},
		{
			name: "impersonated service account",
			ai: gcpAuthInfo{PrincipalEmail: "tf@prod-1.iam.gserviceaccount.com",
				ServiceAccountDelegationInfo: []gcpDelegation{{FirstPartyPrincipal: &struct {
					PrincipalEmail string `json:"principalEmail"`
				}{PrincipalEmail: "grace@example.com"}}}},
			want: change.Actor{Type: "serviceAccount", ARN: "serviceAccount:tf@prod-1.iam.gserviceaccount.com", AccountID: "prod-1",
				UserName: "tf@prod-1.iam.gserviceaccount.com", IssuerARN: "user:grace@example.com"},
		},
		{
			name: "workforce identity has only a subject",
			ai:   gcpAuthInfo{PrincipalSubject: "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s"},
			want: change.Actor{Type: "principal", PrincipalID: "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s",
				ARN: "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s", UserName: "principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, gcpActor(tt.ai)); diff != "" {
				t.Errorf("gcpActor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadOnlyInference(t *testing.T) {
	aws := map[string]bool{
		"DescribeInstances": true, "GetObject": true, "ListBuckets": true, "HeadObject": true,
		"LookupEvents": true, "BatchGetItem": true, "Describe": true,
		"Getaway": false, "Listen": false, "RunInstances": false, "PutRolePolicy": false,
		"CreateSecurityGroup": false, "UpdateFunctionConfiguration": false, "": false,
	}
	for name, want := range aws {
		if got := awsReadOnlyName(name); got != want {
			t.Errorf("awsReadOnlyName(%q) = %v, want %v", name, got, want)
		}
	}
	gcp := map[string]bool{
		"v1.compute.instances.get": true, "compute.instances.aggregatedList": true,
		"storage.buckets.getIamPolicy": true, "google.container.v1.ClusterManager.ListClusters": true,
		"SetIamPolicy": false, "v1.compute.firewalls.patch": false, "compute.instances.setMachineType": false,
		"google.iam.admin.v1.CreateServiceAccount": false, "compute.instances.testIamPermissions": true,
		"compute.instances.getter": false, "trailing.": false,
	}
	for name, want := range gcp {
		if got := gcpReadOnlyMethod(name); got != want {
			t.Errorf("gcpReadOnlyMethod(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestZoneToRegion(t *testing.T) {
	for in, want := range map[string]string{
		"us-central1-a": "us-central1", "europe-west1-b": "europe-west1", "us-central1": "us-central1",
		"global": "global", "": "", "us": "us", "a-b": "a-b", "asia-east1-Z": "asia-east1-Z",
	} {
		if got := zoneToRegion(in); got != want {
			t.Errorf("zoneToRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2025-01-20T14:32:15Z", time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC)},
		{"2025-01-20T14:32:15.123456789Z", time.Date(2025, 1, 20, 14, 32, 15, 123456789, time.UTC)},
		{"2023-05-23T12:19:40.876-07:00", time.Date(2023, 5, 23, 19, 19, 40, 876e6, time.UTC)},
		{"2022-09-30 15:11:25.000000000", time.Date(2022, 9, 30, 15, 11, 25, 0, time.UTC)},
		{"2021-01-24 04:55:45", time.Date(2021, 1, 24, 4, 55, 45, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseTime("yesterday"); err == nil {
		t.Error("parseTime(yesterday) succeeded")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		kind     kind
		provider change.Provider
		evName   string
		readOnly int8
		errFrag  string
	}{
		{name: "cloudtrail", in: ctRecordJSON("RunInstances", `"readOnly":false`), kind: kindCloudTrail, provider: change.AWS, evName: `"RunInstances"`, readOnly: 0},
		{name: "cloudtrail readOnly string", in: `{"eventName":"GetObject","eventSource":"s3.amazonaws.com","readOnly":"true"}`, kind: kindCloudTrail, provider: change.AWS, evName: `"GetObject"`, readOnly: 1},
		{name: "nested eventName does not count", in: `{"requestParameters":{"eventName":"X"},"eventSource":"events.amazonaws.com","eventName":"PutRule"}`, kind: kindCloudTrail, provider: change.AWS, evName: `"PutRule"`, readOnly: -1},
		{name: "log file", in: `{"Records":[]}`, kind: kindLogFile, readOnly: -1},
		{name: "log file with bad Records", in: `{"Records":{}}`, kind: kindLogFile, readOnly: -1, errFrag: "must be an array"},
		{name: "eventbridge", in: `{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"CreateBucket","readOnly":false}}`, kind: kindEventBridge, provider: change.AWS, evName: `"CreateBucket"`, readOnly: 0},
		{name: "eventbridge other", in: `{"detail-type":"Scheduled Event","detail":{}}`, kind: kindEventBridge, provider: change.AWS, readOnly: -1, errFrag: `unsupported EventBridge detail-type "Scheduled Event"`},
		{name: "falco aws", in: `{"source":"aws_cloudtrail","output_fields":{"ct.name":"PutRolePolicy","ct.readonly":"false"}}`, kind: kindFalco, provider: change.AWS, evName: `"PutRolePolicy"`, readOnly: 0},
		{name: "falco gcp", in: `{"source":"gcp_auditlog","output_fields":{"gcp.methodName":"v1.compute.firewalls.patch"}}`, kind: kindFalco, provider: change.GCP, evName: `"v1.compute.firewalls.patch"`, readOnly: -1},
		{name: "falco without source", in: `{"output_fields":{"ct.name":"PutRolePolicy"}}`, kind: kindFalco, provider: change.AWS, evName: `"PutRolePolicy"`, readOnly: -1},
		{name: "falco k8s", in: `{"source":"k8s_audit","output_fields":{"ka.verb":"create"}}`, kind: kindFalco, readOnly: -1, errFrag: `unsupported Falco source "k8s_audit"`},
		{name: "falco null name", in: `{"source":"aws_cloudtrail","output_fields":{"ct.name":null}}`, kind: kindFalco, provider: change.AWS, readOnly: -1},
		{name: "gcp", in: `{"logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"storage.buckets.update"}}`, kind: kindGCP, provider: change.GCP, evName: `"storage.buckets.update"`, readOnly: -1},
		{name: "gcp other payload", in: `{"protoPayload":{"@type":"type.googleapis.com/google.cloud.bigquery.logging.v1.AuditData","methodName":"x"}}`, kind: kindGCP, provider: change.GCP, evName: `"x"`, readOnly: -1, errFrag: "unsupported payload type"},
		{name: "pubsub", in: `{"message":{"data":"e30="},"subscription":"s"}`, kind: kindPubSub, readOnly: -1},
		{name: "panther p_ key", in: `{"eventName":"X","eventSource":"s","p_log_type":"AWS.CloudTrail"}`, readOnly: -1, errFrag: `record normalised by Panther (key "p_log_type")`},
		{name: "panther lower-case", in: `{"eventname":"X"}`, readOnly: -1, errFrag: `record normalised by Panther (key "eventname")`},
		{name: "unknown", in: `{"hello":"world"}`, readOnly: -1, errFrag: "unrecognised record"},
		{name: "not an object", in: `"text"`, readOnly: -1, errFrag: "a record must be a JSON object, not a string"},
		{name: "broken member", in: `{"eventName" "X"}`, readOnly: -1, errFrag: "expected ':' after object key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := classify([]byte(tt.in))
			if (c.err != nil) != (tt.errFrag != "") || (c.err != nil && !strings.Contains(c.err.Error(), tt.errFrag)) {
				t.Fatalf("err = %v, want one containing %q", c.err, tt.errFrag)
			}
			if c.kind != tt.kind || c.provider != tt.provider || string(c.name) != tt.evName || c.readOnly != tt.readOnly {
				t.Errorf("classify = kind %d provider %q name %s readOnly %d; want kind %d provider %q name %s readOnly %d",
					c.kind, c.provider, c.name, c.readOnly, tt.kind, tt.provider, tt.evName, tt.readOnly)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		field string
		frag  string
	}{
		{name: "empty", in: "  \n", frag: "empty input"},
		{name: "trailing data", in: `{"eventName":"X"} {}`, frag: "trailing data at offset 18"},
		{name: "truncated", in: `{"eventName":"X"`, frag: "unexpected end"},
		{name: "missing eventTime", in: `{"eventName":"RunInstances","eventSource":"ec2.amazonaws.com"}`, field: "eventTime", frag: "missing"},
		{name: "missing eventName", in: `{"eventSource":"ec2.amazonaws.com","eventTime":"2025-01-20T14:32:15Z"}`, field: "eventName", frag: "missing"},
		{name: "bad eventTime", in: ctRecordJSON("RunInstances", `"eventTime":"tuesday"`), field: "eventTime", frag: `cannot parse "tuesday"`},
		{name: "eventName not a string", in: `{"eventName":42,"eventSource":"ec2.amazonaws.com","eventTime":"2025-01-20T14:32:15Z"}`, field: "eventName", frag: "is number, want string"},
		{name: "identity type not a string", in: ctRecordJSON("RunInstances", `"userIdentity":{"type":5}`), field: "userIdentity.type", frag: "is number, want string"},
		{name: "identity not an object", in: ctRecordJSON("RunInstances", `"userIdentity":"alice"`), field: "userIdentity", frag: "is string, want object"},
		{name: "resources not an array", in: ctRecordJSON("RunInstances", `"resources":{}`), field: "resources", frag: "is object, want array"},
		{name: "invalid JSON inside the request", in: ctRecordJSON("RunInstances", `"requestParameters":{"a" 1}`), frag: "invalid JSON at offset"},
		{name: "bad readOnly", in: ctRecordJSON("RunInstances", `"readOnly":"maybe"`), field: "readOnly", frag: `is "maybe"`},
		{name: "eventbridge without detail time", in: `{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"X","eventSource":"s"}}`, field: "detail.eventTime", frag: "missing"},
		{name: "falco ct.request not JSON", in: `{"source":"aws_cloudtrail","time":"2025-01-20T14:32:15Z","output_fields":{"ct.name":"PutRolePolicy","ct.request":"{oops"}}`, field: "output_fields.ct.request", frag: "is not JSON"},
		{name: "falco without name", in: `{"source":"aws_cloudtrail","time":"2025-01-20T14:32:15Z","output_fields":{"ct.id":"1"}}`, field: "output_fields.ct.name", frag: "missing"},
		{name: "falco without time", in: `{"source":"aws_cloudtrail","output_fields":{"ct.name":"PutRolePolicy"}}`, field: "time", frag: "missing"},
		{name: "falco gcp bad status code", in: `{"source":"gcp_auditlog","time":"2025-01-20T14:32:15Z","output_fields":{"gcp.methodName":"m","json.value[/protoPayload/status/code]":"seven"}}`, field: "output_fields.json.value[/protoPayload/status/code]", frag: "want a number"},
		{name: "gcp without method", in: `{"protoPayload":{"serviceName":"compute.googleapis.com"},"timestamp":"2025-01-20T14:32:15Z"}`, field: "protoPayload.methodName", frag: "missing"},
		{name: "gcp without time", in: `{"protoPayload":{"methodName":"m"}}`, field: "timestamp", frag: "missing"},
		{name: "pubsub not base64", in: `{"message":{"data":"!!!"},"subscription":"s"}`, field: "message.data", frag: "not base64"},
		{name: "pubsub holding a batch", in: `{"message":{"data":"eyJSZWNvcmRzIjpbXX0="}}`, field: "message.data", frag: "holds a batch"},
		{name: "pubsub holding junk", in: `{"message":{"data":"eyJhIjoxfQ=="}}`, field: "message.data", frag: "unrecognised record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := Decode([]byte(tt.in), Options{Name: "in.json"})
			if err == nil {
				t.Fatalf("Decode succeeded with %d changes, want an error", len(changes))
			}
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *RecordError", err)
			}
			if re.Input != "in.json" || re.Index != 1 || re.Field != tt.field || !strings.Contains(re.Err.Error(), tt.frag) {
				t.Errorf("error = %q (field %q), want field %q and text containing %q", err, re.Field, tt.field, tt.frag)
			}
			if !strings.HasPrefix(err.Error(), "in.json: record 1: ") {
				t.Errorf("error %q does not start with the input and record", err)
			}
		})
	}
}

func TestRecordErrorText(t *testing.T) {
	err := &RecordError{Input: "events.json", Index: 3, Field: "eventTime", Err: errMissing}
	if got, want := err.Error(), "events.json: record 3: field eventTime: missing"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, errMissing) {
		t.Error("RecordError does not unwrap")
	}
}

// TestDecodeShapes checks the shapes Decode accepts and the fields that
// are specific to them.
func TestDecodeShapes(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(t *testing.T, changes []*change.Change)
	}{
		{
			name: "lambda versioned name is normalised",
			in:   ctRecordJSON("UpdateFunctionConfiguration20150331v2"),
			check: func(t *testing.T, cs []*change.Change) {
				if cs[0].EventName != "UpdateFunctionConfiguration" || cs[0].RawEventName != "UpdateFunctionConfiguration20150331v2" {
					t.Errorf("names = %q / %q", cs[0].EventName, cs[0].RawEventName)
				}
			},
		},
		{
			name: "URL-encoded policy document is kept as sent",
			in:   ctRecordJSON("PutRolePolicy", `"requestParameters":{"roleName":"r","policyName":"p","policyDocument":"%7B%22Version%22%3A%222012-10-17%22%7D"}`),
			check: func(t *testing.T, cs []*change.Change) {
				var req struct{ PolicyDocument string }
				if err := json.Unmarshal(cs[0].Request, &req); err != nil {
					t.Fatal(err)
				}
				if req.PolicyDocument != "%7B%22Version%22%3A%222012-10-17%22%7D" {
					t.Errorf("policyDocument = %q", req.PolicyDocument)
				}
			},
		},
		{
			name: "readOnly string and resources",
			in: ctRecordJSON("GetBucketPolicy", `"readOnly":"true"`,
				`"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"},{"type":"AWS::S3::Object"}]`),
			check: func(t *testing.T, cs []*change.Change) {
				if !cs[0].ReadOnly || !cmp.Equal(cs[0].ResourceARNs, []string{"arn:aws:s3:::b"}) {
					t.Errorf("ReadOnly = %v, ResourceARNs = %v", cs[0].ReadOnly, cs[0].ResourceARNs)
				}
			},
		},
		{
			name: "account falls back to the caller's",
			in:   `{"eventName":"RunInstances","eventSource":"ec2.amazonaws.com","eventTime":"2025-01-20T14:32:15Z","userIdentity":{"type":"IAMUser","accountId":"999","userName":"u"}}`,
			check: func(t *testing.T, cs []*change.Change) {
				if cs[0].Account != "999" || cs[0].Request != nil || cs[0].Response != nil {
					t.Errorf("Account = %q, Request = %s, Response = %s", cs[0].Account, cs[0].Request, cs[0].Response)
				}
			},
		},
		{
			name: "array of records",
			in:   "[" + ctRecordJSON("RunInstances") + ",\n" + ctRecordJSON("StopInstances") + "]",
			check: func(t *testing.T, cs []*change.Change) {
				if len(cs) != 2 || cs[1].EventName != "StopInstances" || cs[1].Origin != "in.json#2" {
					t.Errorf("got %d changes, second %+v", len(cs), cs[len(cs)-1])
				}
			},
		},
		{
			name: "log file with the Records key last",
			in:   `{"digest":"x","Records":[` + ctRecordJSON("RunInstances") + `]}`,
			check: func(t *testing.T, cs []*change.Change) {
				if len(cs) != 1 || string(cs[0].Raw) != ctRecordJSON("RunInstances") {
					t.Errorf("got %d changes, Raw %s", len(cs), cs[0].Raw)
				}
			},
		},
		{
			name: "falco numbers, booleans and nulls in output_fields",
			in: `{"uuid":"u","source":"aws_cloudtrail","time":"2025-01-20T14:32:19Z","output_fields":{"ct.name":"ModifyInstanceAttribute",
				"ct.time":"2025-01-20T14:32:15Z","ct.readonly":false,"evt.num":42,"ct.error":null,"ct.user.identitytype":"IAMUser",
				"ct.user":"alice","ct.request":"{\"instanceId\":\"i-1\",\"instanceType\":{\"value\":\"m5.8xlarge\"}}","ct.response":"null",
				"ct.resources":"arn:aws:ec2:us-east-1:1:instance/i-1"}}`,
			check: func(t *testing.T, cs []*change.Change) {
				c := cs[0]
				if c.ReadOnly || c.ErrorCode != "" || c.Response != nil || c.Actor.UserName != "alice" ||
					!c.Time.Equal(time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC)) ||
					!jsonEqual(c.Request, []byte(`{"instanceId":"i-1","instanceType":{"value":"m5.8xlarge"}}`)) ||
					!cmp.Equal(c.ResourceARNs, []string{"arn:aws:ec2:us-east-1:1:instance/i-1"}) {
					t.Errorf("falco change = %+v", c)
				}
			},
		},
		{
			name: "falco assumed role without ARN uses ct.originaluser",
			in: `{"source":"aws_cloudtrail","time":"2025-01-20T14:32:19Z","output_fields":{"ct.name":"PutRolePolicy",
				"ct.user":"AdminRole","ct.originaluser":"bob@example.com","ct.user.identitytype":"AssumedRole","ct.user.accountid":"1"}}`,
			check: func(t *testing.T, cs []*change.Change) {
				if cs[0].Actor.UserName != "bob@example.com" || cs[0].Account != "1" {
					t.Errorf("actor = %+v, account %q", cs[0].Actor, cs[0].Account)
				}
			},
		},
		{
			name: "falco error and read-only inference",
			in: `{"source":"aws_cloudtrail","time":"2025-01-20T14:32:19Z","output_fields":{"ct.name":"DescribeInstances",
				"ct.error":"AccessDenied","ct.errormessage":"no"}}`,
			check: func(t *testing.T, cs []*change.Change) {
				if !cs[0].ReadOnly || !cs[0].Failed() || cs[0].ErrorMessage != "no" {
					t.Errorf("change = %+v", cs[0])
				}
			},
		},
		{
			name: "falco gcp with request object and failed status",
			in: `{"source":"gcp_auditlog","time":"2025-01-20T14:32:19Z","output_fields":{"gcp.methodName":"v1.compute.instances.get",
				"gcp.location":"us-central1-c","gcp.resourceName":"projects/p1/zones/us-central1-c/instances/i",
				"json.value[/protoPayload/request]":{"name":"i"},"json.value[/protoPayload/status/code]":5}}`,
			check: func(t *testing.T, cs []*change.Change) {
				c := cs[0]
				if c.Region != "us-central1" || c.Account != "p1" || !c.ReadOnly || c.ErrorCode != "NOT_FOUND" ||
					!jsonEqual(c.Request, []byte(`{"name":"i"}`)) || c.EventName != "compute.instances.get" {
					t.Errorf("change = %+v", c)
				}
			},
		},
		{
			name: "gcp data_access entries are read-only",
			in: `{"logName":"projects/p/logs/cloudaudit.googleapis.com%2Fdata_access","timestamp":"2025-01-20T14:32:15Z",
				"protoPayload":{"methodName":"storage.objects.create","authenticationInfo":{"principalEmail":"a@b.c"}}}`,
			check: func(t *testing.T, cs []*change.Change) {
				if !cs[0].ReadOnly || cs[0].Account != "p" {
					t.Errorf("change = %+v", cs[0])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := Decode([]byte(tt.in), Options{Name: "in.json"})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(changes) == 0 {
				t.Fatal("no changes")
			}
			tt.check(t, changes)
		})
	}
}

// TestDecodeKeep checks that Keep sees the provider and normalised name,
// and that refused records are left out.
func TestDecodeKeep(t *testing.T) {
	in := "[" + strings.Join([]string{
		ctRecordJSON("UpdateFunctionConfiguration20150331v2"),
		ctRecordJSON("DescribeInstances", `"readOnly":true`),
		`{"source":"gcp_auditlog","time":"2025-01-20T14:32:19Z","output_fields":{"gcp.methodName":"v1.compute.firewalls.patch"}}`,
		`{"message":{"data":"` + pubSubLogEntry + `"}}`,
	}, ",") + "]"
	type call struct {
		P    change.Provider
		Name string
	}
	var calls []call
	changes, err := Decode([]byte(in), Options{Keep: func(p change.Provider, name string) bool {
		calls = append(calls, call{p, name})
		return name != "DescribeInstances"
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []call{
		{change.AWS, "UpdateFunctionConfiguration"},
		{change.AWS, "DescribeInstances"},
		{change.GCP, "compute.firewalls.patch"},
		{change.GCP, "compute.firewalls.insert"},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("Keep calls (-want +got):\n%s", diff)
	}
	if len(changes) != 3 {
		t.Errorf("got %d changes, want 3", len(changes))
	}
}

// pubSubLogEntry is base64 of a minimal firewalls.insert LogEntry.
const pubSubLogEntry = "eyJwcm90b1BheWxvYWQiOnsibWV0aG9kTmFtZSI6InYxLmNvbXB1dGUuZmlyZXdhbGxzLmluc2VydCJ9LCJ0aW1lc3RhbXAiOiIyMDI1LTAxLTIwVDE0OjMyOjE1WiJ9"

// Compute logs a long-running operation twice: a first entry with the
// request and a last entry without it. Only the first is a write to process.
func TestGCPOperationCompletionIsNotASecondWrite(t *testing.T) {
	entry := func(op string) []byte {
		return []byte(`{"insertId":"x","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","timestamp":"2025-01-20T15:10:04Z",` +
			`"operation":{"id":"operation-1","producer":"compute.googleapis.com",` + op + `},` +
			`"resource":{"type":"gce_instance","labels":{"project_id":"p","zone":"us-central1-a"}},` +
			`"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"compute.googleapis.com",` +
			`"methodName":"v1.compute.instances.delete","resourceName":"projects/p/zones/us-central1-a/instances/vm",` +
			`"authenticationInfo":{"principalEmail":"a@example.com"}}}`)
	}
	for op, wantReadOnly := range map[string]bool{`"first":true`: false, `"last":true`: true, `"first":true,"last":true`: false} {
		changes, err := Decode(entry(op), Options{})
		if err != nil || len(changes) != 1 {
			t.Fatalf("%s: %v, %d changes", op, err, len(changes))
		}
		if changes[0].ReadOnly != wantReadOnly {
			t.Errorf("operation {%s}: ReadOnly = %v, want %v", op, changes[0].ReadOnly, wantReadOnly)
		}
	}
}

// TestDecodeOwned: with Options.Owned the change keeps the caller's bytes;
// without it, a copy, so that a caller reusing its buffer cannot change a
// decoded record.
func TestDecodeOwned(t *testing.T) {
	rec := []byte(`{"eventVersion":"1.08","eventTime":"2025-01-20T14:50:00Z","eventSource":"ec2.amazonaws.com","eventName":"ModifyInstanceAttribute","awsRegion":"us-east-1","recipientAccountId":"123456789012","eventID":"e1","userIdentity":{"type":"IAMUser","userName":"alice"},"requestParameters":{"instanceId":"i-1"}}`)
	for _, owned := range []bool{false, true} {
		data := bytes.Clone(rec)
		changes, err := Decode(data, Options{Owned: owned})
		if err != nil || len(changes) != 1 {
			t.Fatalf("owned=%v: %d changes, %v", owned, len(changes), err)
		}
		raw := changes[0].Raw
		if !bytes.Equal(raw, rec) {
			t.Fatalf("owned=%v: Raw = %s", owned, raw)
		}
		shared := &raw[0] == &data[0]
		if shared != owned {
			t.Errorf("owned=%v: Raw shares the input: %v", owned, shared)
		}
	}
}
