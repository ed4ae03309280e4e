package change

import "testing"

func TestNormalizeAWSEventName(t *testing.T) {
	for in, want := range map[string]string{
		"UpdateFunctionConfiguration20150331v2": "UpdateFunctionConfiguration",
		"UpdateFunctionCode20150331v2":          "UpdateFunctionCode",
		"AddPermission20150331v2":               "AddPermission",
		"PutFunctionConcurrency20171031":        "PutFunctionConcurrency",
		"CreateDistribution2020_05_31":          "CreateDistribution",
		"UpdateDistribution2014_01_31":          "UpdateDistribution",
		"AuthorizeSecurityGroupIngress":         "AuthorizeSecurityGroupIngress",
		"PutBucketPublicAccessBlock":            "PutBucketPublicAccessBlock",
		"CreateAccessPointForObjectLambda":      "CreateAccessPointForObjectLambda",
		"AssociateIamInstanceProfile":           "AssociateIamInstanceProfile",
		"":                                      "",
		"2015":                                  "2015",
	} {
		if got := NormalizeAWSEventName(in); got != want {
			t.Errorf("NormalizeAWSEventName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeGCPMethodName(t *testing.T) {
	for in, want := range map[string]string{
		"v1.compute.firewalls.patch":               "compute.firewalls.patch",
		"beta.compute.instances.setMetadata":       "compute.instances.setMetadata",
		"alpha.compute.disks.resize":               "compute.disks.resize",
		"v2.compute.x":                             "compute.x",
		"storage.buckets.create":                   "storage.buckets.create",
		"google.iam.admin.v1.CreateServiceAccount": "google.iam.admin.v1.CreateServiceAccount",
		"SetIamPolicy":                             "SetIamPolicy",
		"vpcaccess.x":                              "vpcaccess.x",
	} {
		if got := NormalizeGCPMethodName(in); got != want {
			t.Errorf("NormalizeGCPMethodName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalizeAWSEventName(f *testing.F) {
	f.Add("UpdateFunctionConfiguration20150331v2")
	f.Fuzz(func(t *testing.T, s string) {
		got := NormalizeAWSEventName(s)
		if len(got) > len(s) || s[:len(got)] != got {
			t.Fatalf("%q → %q is not a prefix", s, got)
		}
		if NormalizeAWSEventName(got) != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, NormalizeAWSEventName(got))
		}
	})
}
