package catalog

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const s3Service = "s3.amazonaws.com"

// S3 buckets. CloudTrail logs the request body of bucket sub-resource calls
// as the XML document turned into JSON: element names are kept
// (ServerSideEncryptionConfiguration.Rule, Tagging.TagSet.Tag), an element
// that occurs once is an object and a repeated one a list, and attributes
// such as xmlns appear as keys. The bucket is requestParameters.bucketName.
//
// Since AWS provider v4 each sub-resource has its own resource type
// (aws_s3_bucket_policy, aws_s3_bucket_versioning, …) while aws_s3_bucket
// still reads the same settings into computed attributes (policy,
// versioning, server_side_encryption_configuration, …). A call is compared
// with the resource that manages the setting: the split resource when
// state holds one for the bucket, else the bucket's legacy attribute when
// state holds it (Target.Inline), so the bucket is never blamed for what
// its split resource manages. A rule such as "S3 Encryption Disabled"
// watches both types.
//
// Left out for want of a confirmed record shape: PutBucketWebsite,
// DeleteBucketWebsite, PutBucketCors and DeleteBucketCors
// (aws_s3_bucket_website_configuration, aws_s3_bucket_cors_configuration).
// No public CloudTrail record shows how their XML bodies are logged.
var s3Entries = []Entry{
	{
		Provider: change.AWS, Service: s3Service, Event: "PutBucketPolicy",
		Doc: "replaces a bucket policy",
		Targets: []Target{
			{Type: "aws_s3_bucket_policy", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
				Attrs: []Attr{{Name: "policy", Value: Doc("bucketPolicy")}}},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_policy"),
				Attrs: []Attr{{Name: "policy", Value: Doc("bucketPolicy")}}},
		},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "DeleteBucketPolicy",
		Doc: "deletes a bucket policy",
		Targets: []Target{
			{Type: "aws_s3_bucket_policy", Op: Delete, Key: "bucket", ID: ReqID("bucketName")},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_policy"),
				Attrs: []Attr{{Name: "policy", Value: Const("")}}},
		},
	},
	{
		// aws_s3_bucket_acl.acl is configuration only (the provider keeps it
		// in the resource ID and never reads it back); the grants AWS holds
		// are access_control_policy, so a canned ACL is expanded into them.
		Provider: change.AWS, Service: s3Service, Event: "PutBucketAcl",
		Doc: "replaces a bucket ACL (explicit grants or a canned ACL)",
		Targets: []Target{
			{Type: "aws_s3_bucket_acl", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
				Attrs: []Attr{{Name: "access_control_policy", Value: s3AccessControlPolicy()}}},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_acl"),
				Attrs: []Attr{{Name: "grant", Value: s3LegacyGrants()}}},
		},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "PutBucketEncryption",
		Doc: "sets default encryption of a bucket",
		Targets: []Target{
			{Type: "aws_s3_bucket_server_side_encryption_configuration", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
				Attrs: []Attr{{Name: "rule", Value: s3EncryptionRules(false)}}},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_server_side_encryption_configuration"),
				Attrs: []Attr{{Name: "server_side_encryption_configuration", Value: s3EncryptionRules(true)}}},
		},
	},
	{
		// Since January 2023 every bucket is encrypted: deleting the
		// configuration resets it to SSE-S3 (AES256) rather than removing
		// it, so the provider reads the default back and keeps the
		// resource. A KMS-encrypted bucket thus drifts to AES256.
		Provider: change.AWS, Service: s3Service, Event: "DeleteBucketEncryption",
		Doc: "resets default encryption of a bucket to SSE-S3",
		Targets: []Target{
			{Type: "aws_s3_bucket_server_side_encryption_configuration", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
				Attrs: []Attr{{Name: "rule", Value: s3DefaultEncryption(false)}}},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_server_side_encryption_configuration"),
				Attrs: []Attr{{Name: "server_side_encryption_configuration", Value: s3DefaultEncryption(true)}}},
		},
	},
	{
		// A flag left out of the request is false: the call replaces the
		// whole configuration.
		Provider: change.AWS, Service: s3Service, Event: "PutBucketPublicAccessBlock",
		Doc: "sets the public access block of a bucket",
		Targets: []Target{{
			Type: "aws_s3_bucket_public_access_block", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
			Attrs: []Attr{
				{Name: "block_public_acls", Value: s3PublicAccessFlag("BlockPublicAcls")},
				{Name: "block_public_policy", Value: s3PublicAccessFlag("BlockPublicPolicy")},
				{Name: "ignore_public_acls", Value: s3PublicAccessFlag("IgnorePublicAcls")},
				{Name: "restrict_public_buckets", Value: s3PublicAccessFlag("RestrictPublicBuckets")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "DeleteBucketPublicAccessBlock",
		Doc: "deletes the public access block of a bucket",
		Targets: []Target{
			{Type: "aws_s3_bucket_public_access_block", Op: Delete, Key: "bucket", ID: ReqID("bucketName")},
		},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "PutBucketVersioning",
		Doc: "enables or suspends versioning (and MFA delete) of a bucket",
		Targets: []Target{
			{Type: "aws_s3_bucket_versioning", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
				Attrs: []Attr{{Name: "versioning_configuration", Value: s3VersioningConfiguration()}}},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_versioning"),
				Attrs: []Attr{{Name: "versioning", Value: s3LegacyVersioning()}}},
		},
	},
	{
		// CloudTrail names PutBucketLifecycleConfiguration calls
		// PutBucketLifecycle.
		Provider: change.AWS, Service: s3Service, Event: "PutBucketLifecycle",
		Doc: "replaces the lifecycle rules of a bucket",
		Targets: []Target{
			{Type: "aws_s3_bucket_lifecycle_configuration", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
				Attrs: []Attr{{Name: "rule", Value: s3LifecycleRules(false)}}},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_lifecycle_configuration"),
				Attrs: []Attr{{Name: "lifecycle_rule", Value: s3LifecycleRules(true)}}},
		},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "DeleteBucketLifecycle",
		Doc: "deletes the lifecycle rules of a bucket",
		Targets: []Target{
			{Type: "aws_s3_bucket_lifecycle_configuration", Op: Delete, Key: "bucket", ID: ReqID("bucketName")},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_lifecycle_configuration"),
				Attrs: []Attr{{Name: "lifecycle_rule", Value: emptyList()}}},
		},
	},
	{
		// A request without LoggingEnabled turns logging off, and the
		// provider then drops aws_s3_bucket_logging from state: the
		// Modify and Delete targets each name the bucket only in their case.
		Provider: change.AWS, Service: s3Service, Event: "PutBucketLogging",
		Doc: "enables or disables server access logging of a bucket",
		Targets: []Target{
			{Type: "aws_s3_bucket_logging", Op: Modify, Key: "bucket", ID: s3BucketIfLogging(true),
				Attrs: []Attr{
					{Name: "target_bucket", Value: Req("BucketLoggingStatus.LoggingEnabled.TargetBucket")},
					{Name: "target_prefix", Value: s3LoggingPrefix()},
				}},
			{Type: "aws_s3_bucket_logging", Op: Delete, Key: "bucket", ID: s3BucketIfLogging(false)},
			{Type: "aws_s3_bucket", Op: Modify, Key: "bucket", ID: ReqID("bucketName"), Inline: s3Split("aws_s3_bucket_logging"),
				Attrs: []Attr{{Name: "logging", Value: s3LegacyLogging()}}},
		},
	},
	{
		// PutBucketTagging replaces the whole tag set, the effective one:
		// it is read against tags_all, so re-sending the provider's
		// default tags unchanged is no drift (see OwnTags in dsl.go).
		Provider: change.AWS, Service: s3Service, Event: "PutBucketTagging",
		Doc:     "replaces the tags of a bucket",
		Targets: []Target{Tags("aws_s3_bucket", "bucket", ReqID("bucketName"), TagListEdit("Tagging.TagSet.Tag", "Key", "Value", true))},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "DeleteBucketTagging",
		Doc:     "removes every tag of a bucket",
		Targets: []Target{Tags("aws_s3_bucket", "bucket", ReqID("bucketName"), ClearTagsEdit())},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "PutBucketOwnershipControls",
		Doc: "sets the object ownership rule of a bucket",
		Targets: []Target{{
			Type: "aws_s3_bucket_ownership_controls", Op: Modify, Key: "bucket", ID: ReqID("bucketName"),
			Attrs: []Attr{{Name: "rule", Value: s3OwnershipRule()}},
		}},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "CreateBucket",
		Doc: "creates a bucket",
		Targets: []Target{{
			Type: "aws_s3_bucket", Op: Create, Key: "bucket", ID: ReqID("bucketName"),
			Attrs: []Attr{{Name: "bucket", Value: Req("bucketName")}},
		}},
	},
	{
		Provider: change.AWS, Service: s3Service, Event: "DeleteBucket",
		Doc:     "deletes a bucket",
		Targets: []Target{{Type: "aws_s3_bucket", Op: Delete, Key: "bucket", ID: ReqID("bucketName")}},
	},
}

func init() { registerGuarded(s3Entries) }

// s3Split names the split resource that manages one of a bucket's legacy
// attributes; each is found by the bucket's name.
func s3Split(rtype string) *Split { return &Split{Type: rtype, Key: "bucket"} }

// --- Encryption ---

// s3EncryptionRules derives the rules of a PutBucketEncryption request:
// aws_s3_bucket_server_side_encryption_configuration.rule, or, for legacy,
// aws_s3_bucket.server_side_encryption_configuration ([{rule: …}]).
func s3EncryptionRules(legacy bool) Value {
	return func(e *Event, cur any) (any, bool) {
		items := Items(e.Req(), "ServerSideEncryptionConfiguration.Rule")
		if len(items) == 0 {
			return nil, false
		}
		curRules := asObjects(cur)
		if legacy {
			curRules = asObjects(firstObject(cur)["rule"])
		}
		rules := []any{}
		for i, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			rule := map[string]any{
				"apply_server_side_encryption_by_default": []any{},
				// S3 reports BucketKeyEnabled false when the request left it out.
				"bucket_key_enabled": ctBoolOr(m, "BucketKeyEnabled", false),
			}
			if d, ok := m["ApplyServerSideEncryptionByDefault"].(map[string]any); ok {
				rule["apply_server_side_encryption_by_default"] = []any{map[string]any{
					"sse_algorithm":     ctString(d, "SSEAlgorithm"),
					"kms_master_key_id": ctString(d, "KMSMasterKeyID"),
				}}
			}
			if i < len(curRules) {
				rule = keepUnmodelled(rule, curRules[i])
			}
			rules = append(rules, rule)
		}
		if legacy {
			return []any{keepUnmodelled(map[string]any{"rule": rules}, firstObject(cur))}, true
		}
		return rules, true
	}
}

// s3DefaultEncryption derives the configuration S3 reports after
// DeleteBucketEncryption: SSE-S3 with no bucket key.
func s3DefaultEncryption(legacy bool) Value {
	return func(*Event, any) (any, bool) {
		rule := map[string]any{
			"apply_server_side_encryption_by_default": []any{map[string]any{
				"sse_algorithm": "AES256", "kms_master_key_id": "",
			}},
			"bucket_key_enabled": false,
		}
		if legacy {
			return []any{map[string]any{"rule": []any{rule}}}, true
		}
		return []any{rule}, true
	}
}

// --- Public access block, versioning, logging, ownership ---

func s3PublicAccessFlag(field string) Value {
	return func(e *Event, _ any) (any, bool) {
		cfg, ok := First(e.Req(), "PublicAccessBlockConfiguration").(map[string]any)
		if !ok {
			return nil, false
		}
		return ctBoolOr(cfg, field, false), true
	}
}

// s3VersioningConfiguration derives aws_s3_bucket_versioning's
// versioning_configuration. MfaDelete is only in requests that change it.
func s3VersioningConfiguration() Value {
	return func(e *Event, cur any) (any, bool) {
		status := ctString(e.Req(), "VersioningConfiguration.Status")
		if status == "" {
			return nil, false
		}
		curObj := firstObject(cur)
		out := map[string]any{"status": status}
		if mfa := ctString(e.Req(), "VersioningConfiguration.MfaDelete"); mfa != "" {
			out["mfa_delete"] = mfa
		}
		if curObj == nil {
			curObj = map[string]any{}
		}
		return []any{keepUnmodelled(out, curObj)}, true
	}
}

// s3LegacyVersioning derives aws_s3_bucket.versioning ([{enabled, mfa_delete}]).
func s3LegacyVersioning() Value {
	return func(e *Event, cur any) (any, bool) {
		status := ctString(e.Req(), "VersioningConfiguration.Status")
		if status == "" {
			return nil, false
		}
		curObj := firstObject(cur)
		mfa := ctBoolOr(curObj, "mfa_delete", false)
		switch ctString(e.Req(), "VersioningConfiguration.MfaDelete") {
		case "Enabled":
			mfa = true
		case "Disabled":
			mfa = false
		}
		return []any{map[string]any{"enabled": status == "Enabled", "mfa_delete": mfa}}, true
	}
}

// s3BucketIfLogging names the bucket of a PutBucketLogging request only when
// the request turns logging on (enabled) or off (!enabled).
func s3BucketIfLogging(enabled bool) IDs {
	return func(e *Event) []string {
		status, ok := First(e.Req(), "BucketLoggingStatus").(map[string]any)
		if !ok {
			return nil
		}
		_, on := status["LoggingEnabled"].(map[string]any)
		if on != enabled {
			return nil
		}
		return Strings(e.Req(), "bucketName")
	}
}

// s3LoggingPrefix derives target_prefix; S3 stores an absent prefix as "".
func s3LoggingPrefix() Value {
	return func(e *Event, _ any) (any, bool) {
		le, ok := First(e.Req(), "BucketLoggingStatus.LoggingEnabled").(map[string]any)
		if !ok {
			return nil, false
		}
		return ctString(le, "TargetPrefix"), true
	}
}

// s3LegacyLogging derives aws_s3_bucket.logging: one block, or none when
// logging is turned off.
func s3LegacyLogging() Value {
	return func(e *Event, _ any) (any, bool) {
		status, ok := First(e.Req(), "BucketLoggingStatus").(map[string]any)
		if !ok {
			return nil, false
		}
		le, on := status["LoggingEnabled"].(map[string]any)
		if !on {
			return []any{}, true
		}
		return []any{map[string]any{
			"target_bucket": ctString(le, "TargetBucket"),
			"target_prefix": ctString(le, "TargetPrefix"),
		}}, true
	}
}

func s3OwnershipRule() Value {
	return func(e *Event, _ any) (any, bool) {
		o := ctString(e.Req(), "OwnershipControls.Rule.ObjectOwnership")
		if o == "" {
			return nil, false
		}
		return []any{map[string]any{"object_ownership": o}}, true
	}
}

// --- ACL ---

const (
	s3AllUsers      = "http://acs.amazonaws.com/groups/global/AllUsers"
	s3AuthUsers     = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	s3LogDelivery   = "http://acs.amazonaws.com/groups/s3/LogDelivery"
	s3CanonicalUser = "CanonicalUser"
	s3Group         = "Group"
)

// s3Grant is one (grantee, permission) pair of a bucket ACL.
type s3Grant struct {
	typ, id, uri, email, perm string
}

// s3CannedGrants lists the grants of the canned ACLs S3 documents for
// buckets, besides the owner's FULL_CONTROL. aws-exec-read is left out: its
// grantee is an AWS-owned canonical ID the record does not carry.
var s3CannedGrants = map[string][]s3Grant{
	"private":                   nil,
	"bucket-owner-read":         nil, // object ACLs; on a bucket S3 applies private
	"bucket-owner-full-control": nil,
	"public-read":               {{typ: s3Group, uri: s3AllUsers, perm: "READ"}},
	"public-read-write":         {{typ: s3Group, uri: s3AllUsers, perm: "READ"}, {typ: s3Group, uri: s3AllUsers, perm: "WRITE"}},
	"authenticated-read":        {{typ: s3Group, uri: s3AuthUsers, perm: "READ"}},
	"log-delivery-write":        {{typ: s3Group, uri: s3LogDelivery, perm: "WRITE"}, {typ: s3Group, uri: s3LogDelivery, perm: "READ_ACP"}},
}

// s3RequestACL returns the grants a PutBucketAcl request leaves on the
// bucket and its owner. ownerID is the owner known from state, needed to
// expand a canned ACL. known is false when the request sets an ACL whose
// grants cannot be derived.
func s3RequestACL(e *Event, ownerID string) (grants []s3Grant, owner string, present, known bool) {
	req := e.Req()
	if acp, ok := First(req, "AccessControlPolicy").(map[string]any); ok {
		for _, it := range Items(acp, "AccessControlList.Grant") {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			g, _ := m["Grantee"].(map[string]any)
			grants = append(grants, s3Grant{
				typ:   ctString(g, "xsi:type", "Type", "type"),
				id:    ctString(g, "ID"),
				uri:   ctString(g, "URI"),
				email: ctString(g, "EmailAddress"),
				perm:  ctString(m, "Permission"),
			})
		}
		owner = ctString(acp, "Owner.ID")
		if owner == "" {
			owner = ownerID
		}
		return grants, owner, true, true
	}
	canned := ctString(req, "x-amz-acl")
	if canned == "" {
		// Grants given as x-amz-grant-* headers ("uri=…", "id=…") replace
		// the ACL too; they are not modelled.
		if m, ok := req.(map[string]any); ok {
			for k := range m {
				if strings.HasPrefix(strings.ToLower(k), "x-amz-grant-") {
					return nil, ownerID, true, false
				}
			}
		}
		return nil, "", false, false
	}
	extra, ok := s3CannedGrants[canned]
	if !ok || ownerID == "" {
		return nil, ownerID, true, false
	}
	grants = append([]s3Grant{{typ: s3CanonicalUser, id: ownerID, perm: "FULL_CONTROL"}}, extra...)
	return grants, ownerID, true, true
}

// s3AccessControlPolicy derives aws_s3_bucket_acl.access_control_policy.
// Display names, which AWS has stopped returning, are kept from state for
// grantees that stay, so re-applying the same ACL is not drift.
func s3AccessControlPolicy() Value {
	return func(e *Event, cur any) (any, bool) {
		curACP := firstObject(cur)
		curOwner := firstObject(curACP["owner"])
		grants, owner, present, known := s3RequestACL(e, ctString(curOwner, "id"))
		if !present {
			return nil, false
		}
		if !known {
			return Unknown, true
		}
		names := map[string]string{}
		for _, g := range asObjects(curACP["grant"]) {
			ge := firstObject(g["grantee"])
			if id, dn := ctString(ge, "id"), ctString(ge, "display_name"); id != "" && dn != "" {
				names[id] = dn
			}
		}
		out := []any{}
		for _, g := range grants {
			ge := map[string]any{"type": g.typ}
			for k, v := range map[string]string{"id": g.id, "uri": g.uri, "email_address": g.email, "display_name": names[g.id]} {
				if v != "" {
					ge[k] = v
				}
			}
			out = append(out, map[string]any{"grantee": []any{ge}, "permission": g.perm})
		}
		o := map[string]any{"id": owner}
		if ctString(curOwner, "id") == owner {
			if dn := ctString(curOwner, "display_name"); dn != "" {
				o["display_name"] = dn
			}
		}
		return []any{map[string]any{"grant": out, "owner": []any{o}}}, true
	}
}

// s3LegacyGrants derives aws_s3_bucket.grant: one entry per grantee with
// its permissions, as the provider groups them. For a canned ACL the owner
// is the canonical user that holds FULL_CONTROL in state.
func s3LegacyGrants() Value {
	return func(e *Event, cur any) (any, bool) {
		var owner string
		for _, g := range asObjects(cur) {
			if ctString(g, "type") == s3CanonicalUser && contains(Strings(g, "permissions"), "FULL_CONTROL") {
				if owner != "" {
					owner = "" // ambiguous: more than one full-control user
					break
				}
				owner = ctString(g, "id")
			}
		}
		grants, _, present, known := s3RequestACL(e, owner)
		if !present {
			return nil, false
		}
		if !known {
			return Unknown, true
		}
		type grantee struct{ typ, id, uri string }
		var order []grantee
		perms := map[grantee][]any{}
		for _, g := range grants {
			k := grantee{g.typ, g.id, g.uri}
			if _, seen := perms[k]; !seen {
				order = append(order, k)
			}
			perms[k] = append(perms[k], g.perm)
		}
		out := []any{}
		for _, k := range order {
			m := map[string]any{"type": k.typ, "permissions": perms[k]}
			if k.id != "" {
				m["id"] = k.id
			}
			if k.uri != "" {
				m["uri"] = k.uri
			}
			out = append(out, m)
		}
		return out, true
	}
}

// --- Lifecycle ---

// s3LifecycleRules derives the lifecycle rules of a PutBucketLifecycle
// request in the shape of aws_s3_bucket_lifecycle_configuration.rule, or,
// for legacy, aws_s3_bucket.lifecycle_rule. Each rule is laid over the rule
// with the same ID in state, so attributes a provider version adds and the
// request cannot set do not read as drift.
func s3LifecycleRules(legacy bool) Value {
	return func(e *Event, cur any) (any, bool) {
		items := Items(e.Req(), "LifecycleConfiguration.Rule")
		if len(items) == 0 {
			return nil, false
		}
		byID := map[string]map[string]any{}
		for _, r := range asObjects(cur) {
			byID[ctString(r, "id")] = r
		}
		out := []any{}
		for _, it := range items {
			r, ok := it.(map[string]any)
			if !ok {
				continue
			}
			curRule := byID[ctString(r, "ID")]
			if legacy {
				out = append(out, keepUnmodelled(s3LegacyLifecycleRule(r), curRule))
			} else {
				out = append(out, keepUnmodelled(s3LifecycleRule(r, curRule), curRule))
			}
		}
		return out, true
	}
}

// s3LifecycleRule converts one request rule to the
// aws_s3_bucket_lifecycle_configuration rule block. Unset numbers and flags
// take the zero values the provider stores for them.
func s3LifecycleRule(r, cur map[string]any) map[string]any {
	m := map[string]any{
		"id":     ctString(r, "ID"),
		"status": ctString(r, "Status"),
		"prefix": ctString(r, "Prefix"),
	}
	m["filter"] = []any{}
	if f, ok := r["Filter"].(map[string]any); ok {
		m["filter"] = []any{s3LifecycleFilter(f, firstObject(cur["filter"]))}
	}
	m["expiration"] = []any{}
	if x, ok := r["Expiration"].(map[string]any); ok {
		m["expiration"] = []any{map[string]any{
			"date":                         ctString(x, "Date"),
			"days":                         ctNumberOrZero(x, "Days"),
			"expired_object_delete_marker": ctBoolOr(x, "ExpiredObjectDeleteMarker", false),
		}}
	}
	m["transition"] = []any{}
	for _, it := range Items(r, "Transition") {
		if t, ok := it.(map[string]any); ok {
			m["transition"] = append(m["transition"].([]any), map[string]any{
				"date":          ctString(t, "Date"),
				"days":          ctNumberOrZero(t, "Days"),
				"storage_class": ctString(t, "StorageClass"),
			})
		}
	}
	m["noncurrent_version_expiration"] = []any{}
	if x, ok := r["NoncurrentVersionExpiration"].(map[string]any); ok {
		nve := map[string]any{"noncurrent_days": ctNumberOrZero(x, "NoncurrentDays")}
		if v, ok := x["NewerNoncurrentVersions"]; ok {
			nve["newer_noncurrent_versions"] = v
		}
		m["noncurrent_version_expiration"] = []any{keepUnmodelled(nve, firstObject(cur["noncurrent_version_expiration"]))}
	}
	m["noncurrent_version_transition"] = []any{}
	for _, it := range Items(r, "NoncurrentVersionTransition") {
		if t, ok := it.(map[string]any); ok {
			nvt := map[string]any{
				"noncurrent_days": ctNumberOrZero(t, "NoncurrentDays"),
				"storage_class":   ctString(t, "StorageClass"),
			}
			if v, ok := t["NewerNoncurrentVersions"]; ok {
				nvt["newer_noncurrent_versions"] = v
			}
			m["noncurrent_version_transition"] = append(m["noncurrent_version_transition"].([]any), nvt)
		}
	}
	m["abort_incomplete_multipart_upload"] = []any{}
	if a, ok := r["AbortIncompleteMultipartUpload"].(map[string]any); ok {
		m["abort_incomplete_multipart_upload"] = []any{map[string]any{
			"days_after_initiation": ctNumberOrZero(a, "DaysAfterInitiation"),
		}}
	}
	return m
}

// s3LifecycleFilter converts a rule's Filter. Object size bounds the
// request leaves out keep their state value when that is the zero or null
// the provider stores for "unset" (it differs between provider versions).
func s3LifecycleFilter(f, cur map[string]any) map[string]any {
	out := map[string]any{
		"prefix": ctString(f, "Prefix"),
		"tag":    []any{},
		"and":    []any{},
	}
	for _, k := range [][2]string{{"ObjectSizeGreaterThan", "object_size_greater_than"}, {"ObjectSizeLessThan", "object_size_less_than"}} {
		if v, ok := f[k[0]]; ok {
			out[k[1]] = v
		} else if cv := cur[k[1]]; cv != nil && ctString(cur, k[1]) != "0" {
			out[k[1]] = nil
		}
	}
	if t, ok := f["Tag"].(map[string]any); ok {
		out["tag"] = []any{map[string]any{"key": ctString(t, "Key"), "value": ctString(t, "Value")}}
	}
	if a, ok := f["And"].(map[string]any); ok {
		and := map[string]any{"prefix": ctString(a, "Prefix"), "tags": s3TagMap(Items(a, "Tag"))}
		for _, k := range [][2]string{{"ObjectSizeGreaterThan", "object_size_greater_than"}, {"ObjectSizeLessThan", "object_size_less_than"}} {
			if v, ok := a[k[0]]; ok {
				and[k[1]] = v
			}
		}
		out["and"] = []any{keepUnmodelled(and, firstObject(cur["and"]))}
	}
	return keepUnmodelled(out, cur)
}

// s3LegacyLifecycleRule converts one request rule to an
// aws_s3_bucket.lifecycle_rule block, whose filter is flattened into
// prefix and tags and whose dates are plain YYYY-MM-DD.
func s3LegacyLifecycleRule(r map[string]any) map[string]any {
	prefix := ctString(r, "Filter.Prefix", "Filter.And.Prefix", "Prefix")
	tags := s3TagMap(Items(r, "Filter.And.Tag"))
	if len(tags) == 0 {
		tags = s3TagMap(Items(r, "Filter.Tag"))
	}
	m := map[string]any{
		"id":                                     ctString(r, "ID"),
		"prefix":                                 prefix,
		"tags":                                   tags,
		"enabled":                                ctString(r, "Status") == "Enabled",
		"abort_incomplete_multipart_upload_days": ctNumberOrZero(asMap(First(r, "AbortIncompleteMultipartUpload")), "DaysAfterInitiation"),
		"expiration":                             []any{},
		"transition":                             []any{},
		"noncurrent_version_expiration":          []any{},
		"noncurrent_version_transition":          []any{},
	}
	if x, ok := r["Expiration"].(map[string]any); ok {
		m["expiration"] = []any{map[string]any{
			"date":                         s3Day(ctString(x, "Date")),
			"days":                         ctNumberOrZero(x, "Days"),
			"expired_object_delete_marker": ctBoolOr(x, "ExpiredObjectDeleteMarker", false),
		}}
	}
	for _, it := range Items(r, "Transition") {
		if t, ok := it.(map[string]any); ok {
			m["transition"] = append(m["transition"].([]any), map[string]any{
				"date":          s3Day(ctString(t, "Date")),
				"days":          ctNumberOrZero(t, "Days"),
				"storage_class": ctString(t, "StorageClass"),
			})
		}
	}
	if x, ok := r["NoncurrentVersionExpiration"].(map[string]any); ok {
		m["noncurrent_version_expiration"] = []any{map[string]any{"days": ctNumberOrZero(x, "NoncurrentDays")}}
	}
	for _, it := range Items(r, "NoncurrentVersionTransition") {
		if t, ok := it.(map[string]any); ok {
			m["noncurrent_version_transition"] = append(m["noncurrent_version_transition"].([]any), map[string]any{
				"days":          ctNumberOrZero(t, "NoncurrentDays"),
				"storage_class": ctString(t, "StorageClass"),
			})
		}
	}
	return m
}

// s3Day cuts an ISO timestamp to its date ("2025-01-01T00:00:00.000Z" →
// "2025-01-01"), the form aws_s3_bucket.lifecycle_rule stores.
func s3Day(s string) string {
	if i := strings.IndexByte(s, 'T'); i > 0 {
		return s[:i]
	}
	return s
}

// s3TagMap turns S3 {Key, Value} elements into a tag map.
func s3TagMap(items []any) map[string]any {
	out := map[string]any{}
	for _, it := range items {
		if t, ok := it.(map[string]any); ok {
			if k := ctString(t, "Key"); k != "" {
				out[k] = ctString(t, "Value")
			}
		}
	}
	return out
}
