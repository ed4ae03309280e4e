package scenario

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// FalcoAlerts turns the scenario's CloudTrail records into the alerts
// Falco's CloudTrail plugin would post with tfdrift's rules (deploy/falco):
// the live half of the demo feeds them to `serve` over HTTP.
func (s *Scenario) FalcoAlerts() ([][]byte, error) {
	data, err := os.ReadFile(filepath.Join(s.Dir, "events", "cloudtrail-123456789012-us-east-1.json"))
	if err != nil {
		return nil, err
	}
	return FalcoAlertsOf(data)
}

// FalcoAlertsOf turns the records of a CloudTrail log file
// ({"Records": [...]}) into the alerts Falco would post for them, one per
// record, in order: tests of serve feed their own records through it.
func FalcoAlertsOf(logFile []byte) ([][]byte, error) {
	var file struct {
		Records []map[string]any `json:"Records"`
	}
	if err := json.Unmarshal(logFile, &file); err != nil {
		return nil, err
	}
	var out [][]byte
	for i, r := range file.Records {
		id, _ := r["userIdentity"].(map[string]any)
		str := func(m map[string]any, k string) any {
			if v, ok := m[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
			return nil
		}
		req, _ := json.Marshal(r["requestParameters"])
		resp, _ := json.Marshal(r["responseElements"])
		user := str(id, "userName")
		if arn, ok := id["arn"].(string); ok && user == nil {
			user = arn[lastSlash(arn)+1:]
		}
		alert := map[string]any{
			"uuid": fmt.Sprintf("demo-%04d", i), "time": r["eventTime"], "priority": "Warning", "source": "aws_cloudtrail",
			"rule": "tfdrift: CloudTrail write", "hostname": "falco-demo", "tags": []string{"aws", "tfdrift"},
			"output": fmt.Sprintf("%s by %v", r["eventName"], user),
			"output_fields": map[string]any{
				"ct.name": r["eventName"], "ct.id": r["eventID"], "ct.time": r["eventTime"], "ct.src": r["eventSource"],
				"ct.region": r["awsRegion"], "ct.srcip": r["sourceIPAddress"], "ct.useragent": r["userAgent"],
				"ct.user": str(id, "userName"), "ct.originaluser": user, "ct.user.arn": str(id, "arn"),
				"ct.user.accountid": str(id, "accountId"), "ct.user.identitytype": str(id, "type"),
				"ct.user.principalid": str(id, "principalId"), "ct.recipientaccountid": r["recipientAccountId"],
				"ct.readonly": str(r, "readOnly"), "ct.error": r["errorCode"],
				"ct.request": string(req), "ct.response": string(resp),
			},
		}
		b, err := json.Marshal(alert)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
