package falcorules

// Falco event sources, as the plugins name them. Rules and append_output
// entries select on these.
const (
	SourceCloudTrail = "aws_cloudtrail" // cloudtrail plugin
	SourceGCPAudit   = "gcp_auditlog"   // gcpaudit plugin
)

// awsOutputFields are the cloudtrail plugin fields an alert must carry for
// detector/decode to rebuild the CloudTrail record: identity (ct.user is
// the role for an assumed role, so the person comes from ct.originaluser
// and ct.user.arn), the whole requestParameters and responseElements
// (ct.request, ct.response: the plugin's flat ct.request.* fields cover only
// a handful of keys), and the event's own ID and time.
var awsOutputFields = []outputField{
	{"ct.id", "id"},
	{"ct.name", "name"},
	{"ct.src", "src"},
	{"ct.time", "time"},
	{"ct.region", "region"},
	{"ct.srcip", "srcip"},
	{"ct.useragent", "useragent"},
	{"ct.user", "user"},
	{"ct.originaluser", "originaluser"},
	{"ct.user.arn", "user_arn"},
	{"ct.user.accountid", "user_accountid"},
	{"ct.user.identitytype", "user_identitytype"},
	{"ct.user.principalid", "user_principalid"},
	{"ct.recipientaccountid", "recipientaccountid"},
	{"ct.readonly", "readonly"},
	{"ct.error", "error"},
	{"ct.errormessage", "errormessage"},
	{"ct.request", "request"},
	{"ct.response", "response"},
	{"ct.resources", "resources"},
	// No ct.* field holds the session issuer's ARN; the json plugin reads
	// it so that a drift names the role behind an assumed-role session.
	{"json.value[/userIdentity/sessionContext/sessionIssuer/arn]", "issuer_arn"},
}

// gcpOutputFields are the gcpaudit and json plugin fields an alert must
// carry. gcpaudit 0.8 delivers gcp.request as an empty string, so the
// request and response bodies, the status, the entry's ID and its time come
// through the json plugin's JSON pointers into the LogEntry.
var gcpOutputFields = []outputField{
	{"gcp.methodName", "method"},
	{"gcp.serviceName", "service"},
	{"gcp.resourceName", "resource"},
	{"gcp.user", "user"},
	{"gcp.callerIP", "caller_ip"},
	{"gcp.userAgent", "user_agent"},
	{"gcp.projectId", "project"},
	{"gcp.location", "location"},
	{"gcp.request", "gcp_request"},
	{"json.value[/protoPayload/request]", "request"},
	{"json.value[/protoPayload/response]", "response"},
	{"json.value[/protoPayload/status/code]", "status_code"},
	{"json.value[/protoPayload/status/message]", "status_message"},
	{"json.value[/insertId]", "insert_id"},
	{"json.value[/timestamp]", "timestamp"},
	{"json.value[/logName]", "log_name"},
	// The IAM principal (user:…, serviceAccount:…) and the location of
	// resources whose log entry has no zone or region label (firewalls,
	// global networks): the LogEntry carries both, gcpaudit has no field.
	{"json.value[/protoPayload/authenticationInfo/principalSubject]", "principal"},
	{"json.value[/protoPayload/resourceLocation/currentLocations/0]", "resource_location"},
}

// outputField is one field of a rule's output: the plugin field and the
// key it is shown under in the alert's text.
type outputField struct{ field, label string }

// AWSOutputFields returns the fields every generated CloudTrail rule names
// in its output and appends through extra_fields.
func AWSOutputFields() []string { return fieldNames(awsOutputFields) }

// GCPOutputFields returns the fields every generated GCP audit rule names
// in its output and appends through extra_fields.
func GCPOutputFields() []string { return fieldNames(gcpOutputFields) }

func fieldNames(fs []outputField) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.field
	}
	return out
}
