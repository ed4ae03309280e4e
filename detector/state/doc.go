// Package state reads Terraform state and answers the detector's one
// question about it: which managed resource does this cloud identifier
// name?
//
// The pieces:
//
//   - Parse reads a state file (format version 4, Terraform 0.12+ and
//     OpenTofu) into a Snapshot of managed resource instances, each with its
//     full address, provider, source and "id". Attributes stay as raw JSON
//     per resource and are decoded only for resources an event touched.
//   - Index holds the snapshots of many sources (files, S3 objects, GCS
//     objects; one per workspace) and finds resources by type and
//     identifying attribute in one hash lookup. KeySpec says which
//     attributes identify each type (aws_iam_role_policy by "role:name",
//     aws_db_instance by "identifier"). Lookups are scoped by provider and
//     account so that two accounts' identically named buckets never meet.
//     State is re-read while events are processed, so Replace swaps one
//     source without ever blocking readers.
//   - Backend fetches state objects with a cheap "not modified" check;
//     LocalBackend reads files. S3 and GCS backends live in the s3backend and
//     gcsbackend subpackages, so this package stays free of cloud SDKs.
//     All three are StreamBackends too: LoadStream (and so Load and the
//     refresher) parses their state with ParseStream as it arrives, one
//     resource at a time, so a reload never holds the new file's bytes
//     beside the loaded version.
//
// State files of large organisations run to hundreds of megabytes. Parse
// therefore walks the JSON with the module's validating scanner
// (internal/jsonscan) instead of decoding it into maps: attribute values
// are skipped, not built, and each resource keeps one copy of its
// attributes' bytes.
//
// This package imports only the standard library, detector/change and the
// JSON readers internal/jsonscan and internal/jsonany. It
// must not import cloud SDKs, other detector packages or anything above
// the detector.
package state
