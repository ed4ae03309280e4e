package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpKMSEntries) }

const gcpKMSService = "cloudkms.googleapis.com"

// Cloud KMS key rings, keys and key versions, found by their full resource
// names (google_kms_key_ring and google_kms_crypto_key by id,
// google_kms_crypto_key_version by name). Cloud KMS logs bare method names
// (UpdateCryptoKeyVersion). Disabling or destroying the version that
// encrypts data is how ransomware reaches cloud data.
//
// Sources: Panther's fixtures of UpdateCryptoKeyVersion and
// DestroyCryptoKeyVersion (rules/gcp_audit_rules/gcp_kms_erase_key.yml:
// request {cryptoKeyVersion {name, state}, updateMask}, resourceName the
// version); the Cloud KMS API reference for CreateKeyRing, CreateCryptoKey,
// UpdateCryptoKey and RestoreCryptoKeyVersion.
var gcpKMSEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpKMSService, Event: "CreateKeyRing",
		Doc:     "creates a key ring",
		Targets: []Target{{Type: "google_kms_key_ring", Op: Create, Key: "id", ID: JoinID("/keyRings/", ReqID("parent"), ReqID("keyRingId"))}},
	},
	{
		Provider: change.GCP, Service: gcpKMSService, Event: "CreateCryptoKey",
		Doc: "creates a key",
		Targets: []Target{{
			Type: "google_kms_crypto_key", Op: Create, Key: "id", ID: JoinID("/cryptoKeys/", ReqID("parent"), ReqID("cryptoKeyId")),
			Attrs: []Attr{
				{Name: "purpose", Value: Req("cryptoKey.purpose")},
				{Name: "rotation_period", Value: Req("cryptoKey.rotationPeriod")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpKMSService, Event: "UpdateCryptoKey",
		Doc: "changes a key's rotation schedule or labels",
		Targets: []Target{{
			Type: "google_kms_crypto_key", Op: Modify, Key: "id", ID: ReqID("cryptoKey.name"),
			Attrs: []Attr{{Name: "rotation_period", Value: gcpMasked("rotation_period", gcpMaskFields, "", Req("cryptoKey.rotationPeriod"))}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpKMSService, Event: "UpdateCryptoKeyVersion",
		Doc: "enables or disables a key version",
		Targets: []Target{{
			Type: "google_kms_crypto_key_version", Op: Modify, Key: "name", ID: ReqID("cryptoKeyVersion.name"),
			Attrs: []Attr{{Name: "state", Value: gcpMasked("state", gcpMaskFields, "CRYPTO_KEY_VERSION_STATE_UNSPECIFIED", Req("cryptoKeyVersion.state"))}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpKMSService, Event: "DestroyCryptoKeyVersion",
		Doc: "schedules a key version's destruction (data encrypted with it becomes unreadable)",
		Targets: []Target{{
			Type: "google_kms_crypto_key_version", Op: Modify, Key: "name", ID: ResourceName(),
			Attrs: []Attr{{Name: "state", Value: Const("DESTROY_SCHEDULED")}},
		}},
	},
	{
		// A restored version comes back disabled.
		Provider: change.GCP, Service: gcpKMSService, Event: "RestoreCryptoKeyVersion",
		Doc: "cancels a key version's scheduled destruction; the version is left disabled",
		Targets: []Target{{
			Type: "google_kms_crypto_key_version", Op: Modify, Key: "name", ID: ResourceName(),
			Attrs: []Attr{{Name: "state", Value: Const("DISABLED")}},
		}},
	},
}
