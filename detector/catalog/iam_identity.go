package catalog

import "github.com/tfdrift/tfdrift/detector/change"

// IAM identities beyond users, roles and policies (iam.go): instance
// profiles, identity providers (OIDC and SAML), the account's password
// policy, console login profiles and groups.
//
// The last four are security signals in their own right: a new OIDC
// provider or SAML provider lets an outside identity system mint sessions
// in the account; a weaker password policy or a login profile on a
// machine user opens console access.
//
// Sources: the IAM API Reference (request syntax of each action), logged
// by CloudTrail with lower-cased member names, acronyms included
// (ClientIDList → clientIDList, SAMLMetadataDocument →
// sAMLMetadataDocument); Panther's fixtures of CreateSAMLProvider
// (rules/aws_cloudtrail_rules/aws_saml_activity.yml: name,
// sAMLMetadataDocument, sAMLProviderArn in responseElements) and
// UpdateLoginProfile (aws_user_login_profile_modified.yml: userName,
// passwordResetRequired); Elastic integrations' recorded CreateGroup
// (packages/aws/data_stream/cloudtrail/_dev/test/pipeline/
// test-create-group-json.log).
var iamIdentityEntries = []Entry{
	{
		Provider: change.AWS, Service: iamService, Event: "CreateInstanceProfile",
		Doc: "creates an instance profile",
		Targets: []Target{{
			Type: "aws_iam_instance_profile", Op: Create, Key: "id", ID: ReqID("instanceProfileName"),
			Attrs: []Attr{{Name: "path", Value: Req("path")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteInstanceProfile",
		Doc:     "deletes an instance profile",
		Targets: []Target{{Type: "aws_iam_instance_profile", Op: Delete, Key: "id", ID: ReqID("instanceProfileName")}},
	},
	{
		// Swapping the role of an instance profile changes what every
		// instance using it may do.
		Provider: change.AWS, Service: iamService, Event: "AddRoleToInstanceProfile",
		Doc: "puts a role in an instance profile",
		Targets: []Target{{
			Type: "aws_iam_instance_profile", Op: Modify, Key: "id", ID: ReqID("instanceProfileName"),
			Attrs: []Attr{{Name: "role", Value: Req("roleName")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "RemoveRoleFromInstanceProfile",
		Doc: "takes the role out of an instance profile",
		Targets: []Target{{
			Type: "aws_iam_instance_profile", Op: Modify, Key: "id", ID: ReqID("instanceProfileName"),
			Attrs: []Attr{{Name: "role", Value: Const("")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "CreateOpenIDConnectProvider",
		Doc: "trusts an OpenID Connect identity provider",
		Targets: []Target{{
			Type: "aws_iam_openid_connect_provider", Op: Create, Key: "arn", ID: RespID("openIDConnectProviderArn"),
			Attrs: []Attr{
				{Name: "client_id_list", Value: gcpFirstValue(List("clientIDList"), List("clientIdList"))},
				{Name: "thumbprint_list", Value: List("thumbprintList")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteOpenIDConnectProvider",
		Doc:     "deletes an OpenID Connect identity provider",
		Targets: []Target{{Type: "aws_iam_openid_connect_provider", Op: Delete, Key: "arn", ID: ReqID("openIDConnectProviderArn")}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UpdateOpenIDConnectProviderThumbprint",
		Doc: "replaces the certificate thumbprints an OIDC provider is trusted by",
		Targets: []Target{{
			Type: "aws_iam_openid_connect_provider", Op: Modify, Key: "arn", ID: ReqID("openIDConnectProviderArn"),
			Attrs: []Attr{{Name: "thumbprint_list", Value: List("thumbprintList")}},
		}},
	},
	{
		// A new audience lets tokens minted for another client assume
		// roles that trust the provider.
		Provider: change.AWS, Service: iamService, Event: "AddClientIDToOpenIDConnectProvider",
		Doc: "adds an audience (client ID) to an OIDC provider",
		Targets: []Target{{
			Type: "aws_iam_openid_connect_provider", Op: Modify, Key: "arn", ID: ReqID("openIDConnectProviderArn"),
			Attrs: []Attr{{Name: "client_id_list", Value: gcpFirstValue(ctSetAdd("clientID"), ctSetAdd("clientId"))}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "RemoveClientIDFromOpenIDConnectProvider",
		Doc: "removes an audience (client ID) from an OIDC provider",
		Targets: []Target{{
			Type: "aws_iam_openid_connect_provider", Op: Modify, Key: "arn", ID: ReqID("openIDConnectProviderArn"),
			Attrs: []Attr{{Name: "client_id_list", Value: gcpFirstValue(ctSetRemove("clientID"), ctSetRemove("clientId"))}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "CreateSAMLProvider",
		Doc: "trusts a SAML identity provider",
		Targets: []Target{{
			Type: "aws_iam_saml_provider", Op: Create, Key: "arn", ID: RespID("sAMLProviderArn"),
			Attrs: []Attr{{Name: "name", Value: Req("name")}},
		}},
	},
	{
		// A new metadata document can swap in the signing certificate of
		// another identity provider.
		Provider: change.AWS, Service: iamService, Event: "UpdateSAMLProvider",
		Doc: "replaces a SAML provider's metadata document",
		Targets: []Target{{
			Type: "aws_iam_saml_provider", Op: Modify, Key: "arn", ID: ReqID("sAMLProviderArn"),
			Attrs: []Attr{{Name: "saml_metadata_document", Value: Req("sAMLMetadataDocument")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteSAMLProvider",
		Doc:     "deletes a SAML identity provider",
		Targets: []Target{{Type: "aws_iam_saml_provider", Op: Delete, Key: "arn", ID: ReqID("sAMLProviderArn")}},
	},
	{
		// The policy exists once per account; its provider ID is fixed.
		Provider: change.AWS, Service: iamService, Event: "UpdateAccountPasswordPolicy",
		Doc: "replaces the account's password policy",
		Targets: []Target{{
			Type: "aws_iam_account_password_policy", Op: Modify, Key: "id", ID: ConstID(iamPasswordPolicyID),
			Attrs: []Attr{
				{Name: "minimum_password_length", Value: ReqNum("minimumPasswordLength")},
				{Name: "require_symbols", Value: Bool(Req("requireSymbols"))},
				{Name: "require_numbers", Value: Bool(Req("requireNumbers"))},
				{Name: "require_uppercase_characters", Value: Bool(Req("requireUppercaseCharacters"))},
				{Name: "require_lowercase_characters", Value: Bool(Req("requireLowercaseCharacters"))},
				{Name: "allow_users_to_change_password", Value: Bool(Req("allowUsersToChangePassword"))},
				{Name: "max_password_age", Value: ReqNum("maxPasswordAge")},
				{Name: "password_reuse_prevention", Value: ReqNum("passwordReusePrevention")},
				{Name: "hard_expiry", Value: Bool(Req("hardExpiry"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteAccountPasswordPolicy",
		Doc:     "removes the account's password policy (back to AWS defaults)",
		Targets: []Target{{Type: "aws_iam_account_password_policy", Op: Delete, Key: "id", ID: ConstID(iamPasswordPolicyID)}},
	},
	{
		// Console access for a user that had none: for a machine user,
		// a new way in.
		Provider: change.AWS, Service: iamService, Event: "CreateLoginProfile",
		Doc: "gives a user a console password",
		Targets: []Target{{
			Type: "aws_iam_user_login_profile", Op: Create, Key: "id", ID: ReqID("userName"),
			Attrs: []Attr{{Name: "password_reset_required", Value: Bool(Req("passwordResetRequired"))}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "UpdateLoginProfile",
		Doc: "changes a user's console password or whether it must be reset",
		Targets: []Target{{
			Type: "aws_iam_user_login_profile", Op: Modify, Key: "id", ID: ReqID("userName"),
			Attrs: []Attr{{Name: "password_reset_required", Value: Bool(Req("passwordResetRequired"))}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteLoginProfile",
		Doc:     "removes a user's console password",
		Targets: []Target{{Type: "aws_iam_user_login_profile", Op: Delete, Key: "id", ID: ReqID("userName")}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "CreateGroup",
		Doc: "creates a group",
		Targets: []Target{{
			Type: "aws_iam_group", Op: Create, Key: "id", ID: ReqID("groupName"),
			Attrs: []Attr{{Name: "path", Value: Req("path")}},
		}},
	},
	{
		Provider: change.AWS, Service: iamService, Event: "DeleteGroup",
		Doc:     "deletes a group",
		Targets: []Target{{Type: "aws_iam_group", Op: Delete, Key: "id", ID: ReqID("groupName")}},
	},
}

// iamPasswordPolicyID is the ID the provider gives the account password
// policy.
const iamPasswordPolicyID = "iam-account-password-policy"

func init() { registerGuarded(iamIdentityEntries) }
