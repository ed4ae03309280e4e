package catalog

import "github.com/tfdrift/tfdrift/detector/change"

func init() { register(gcpLoggingEntries) }

const gcpLoggingService = "logging.googleapis.com"

// Cloud Logging sinks and log buckets. A sink is found by its ID
// (projects/P/sinks/S, folders/F/sinks/S), a log
// bucket by projects/P/locations/L/buckets/B. Changing a sink's filter or
// exclusions, or cutting a bucket's retention, removes audit evidence.
//
// Sources: Panther's fixtures of UpdateSink, DeleteSink and DeleteBucket
// (rules/gcp_audit_rules/gcp_logging_sink_modified.yml,
// gcp_log_bucket_or_sink_deleted.yml: request {sinkName, sink {name,
// destination, exclusions [{name, filter}]}, uniqueWriterIdentity,
// updateMask}); the Cloud Logging API reference for CreateSink
// (parent, sink) and UpdateBucket (name, bucket, updateMask).
var gcpLoggingEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpLoggingService, Event: "google.logging.v2.ConfigServiceV2.CreateSink",
		Doc: "creates a log sink",
		Targets: []Target{{
			Type: "google_logging_project_sink", Op: Create, Key: "id",
			ID:    gcpPrefixed("projects/", JoinID("/sinks/", ReqID("parent"), ReqID("sink.name"))),
			Attrs: []Attr{{Name: "destination", Value: Req("sink.destination")}, {Name: "filter", Value: Req("sink.filter")}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpLoggingService, Event: "google.logging.v2.ConfigServiceV2.UpdateSink",
		Doc:     "changes a log sink's destination, filter or exclusions",
		Targets: gcpSinkTargets(Modify, ReqID("sinkName"), gcpSinkAttrs(true)),
	},
	{
		Provider: change.GCP, Service: gcpLoggingService, Event: "google.logging.v2.ConfigServiceV2.DeleteSink",
		Doc:     "deletes a log sink",
		Targets: gcpSinkTargets(Delete, ReqID("sinkName"), nil),
	},
	{
		Provider: change.GCP, Service: gcpLoggingService, Event: "google.logging.v2.ConfigServiceV2.UpdateBucket",
		Doc: "changes a log bucket's retention",
		Targets: []Target{{
			Type: "google_logging_project_bucket_config", Op: Modify, Key: "id", ID: gcpPrefixed("projects/", ReqID("name")),
			Attrs: []Attr{
				{Name: "retention_days", Value: gcpMasked("retention_days", gcpMaskFields, num("0"), Req("bucket.retentionDays"))},
				{Name: "description", Value: gcpMasked("description", gcpMaskFields, "", Req("bucket.description"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpLoggingService, Event: "google.logging.v2.ConfigServiceV2.DeleteBucket",
		Doc:     "deletes a log bucket",
		Targets: []Target{{Type: "google_logging_project_bucket_config", Op: Delete, Key: "id", ID: gcpPrefixed("projects/", ReqID("name"))}},
	},
}

// gcpSinkTargets finds a sink of a project or folder by ID. (Organization
// sinks are left out: no public record of their calls was found.)
func gcpSinkTargets(op Op, ids IDs, attrs []Attr) []Target {
	return []Target{
		{Type: "google_logging_project_sink", Op: op, Key: "id", ID: gcpPrefixed("projects/", ids), Attrs: attrs},
		{Type: "google_logging_folder_sink", Op: op, Key: "id", ID: gcpPrefixed("folders/", ids), Attrs: attrs},
	}
}

// gcpSinkAttrs derives a sink's settings; an update changes only the
// fields under its mask.
func gcpSinkAttrs(masked bool) []Attr {
	field := func(attr, mask string, zero any, v Value) Attr {
		if masked {
			v = gcpMasked(mask, gcpMaskFields, zero, v)
		}
		return Attr{Name: attr, Value: v}
	}
	return []Attr{
		field("destination", "destination", "", Req("sink.destination")),
		field("filter", "filter", "", Req("sink.filter")),
		field("disabled", "disabled", false, Req("sink.disabled")),
		field("exclusions", "exclusions", []any{}, Blocks("sink.exclusions",
			Field{Attr: "name", Path: "name"},
			Field{Attr: "filter", Path: "filter"},
			Field{Attr: "description", Path: "description", Default: ""},
			Field{Attr: "disabled", Path: "disabled", Default: false},
		)),
	}
}
