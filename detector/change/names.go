package change

import "strings"

// NormalizeAWSEventName strips the API-version suffix that some services
// (Lambda, CloudFront, Route 53 in some logs) append to event names:
// UpdateFunctionConfiguration20150331v2 → UpdateFunctionConfiguration,
// CreateDistribution2020_05_31 → CreateDistribution.
func NormalizeAWSEventName(name string) string {
	// Find the first digit that starts a run of 4+ digits (a year) after
	// at least one letter; everything from there is a version suffix.
	for i := 1; i+4 <= len(name); i++ {
		if isDigit(name[i]) && isDigit(name[i+1]) && isDigit(name[i+2]) && isDigit(name[i+3]) && !isDigit(name[i-1]) {
			return name[:i]
		}
	}
	return name
}

// NormalizeGCPMethodName removes the API version prefix of a GCP audit
// methodName: v1.compute.firewalls.patch → compute.firewalls.patch,
// beta.compute.instances.setMetadata → compute.instances.setMetadata.
// Fully-qualified service names (google.iam.admin.v1.CreateServiceAccount,
// storage.buckets.update) are kept as they are.
func NormalizeGCPMethodName(name string) string {
	if dot := strings.IndexByte(name, '.'); dot > 0 {
		switch p := name[:dot]; {
		case p == "alpha" || p == "beta":
			return name[dot+1:]
		case len(p) >= 2 && p[0] == 'v' && isDigit(p[1]):
			return name[dot+1:]
		}
	}
	return name
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
