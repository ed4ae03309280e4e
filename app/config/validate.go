package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// validator turns the raw structs into a Config, checking each value and
// reporting problems at the position the decoder recorded for its path.
// It keeps going after a problem so that one run lists them all.
type validator struct {
	*decoder
	opts options
	// stateNames finds two state sources with the same name.
	stateNames map[string]string
	// sinks are the configured notification sinks, which rules name.
	sinks sinkSet
}

func (v *validator) validate(r *rawConfig) *Config {
	c := &Config{
		Providers: v.providers(&r.Providers),
		Falco:     v.falco(r.Falco),
		SQS:       v.sqs(r.SQS),
		Terraform: Terraform{
			Configured: v.has("terraform"),
			Binary:     or(r.Terraform.Binary, DefaultTerraformBinary), PluginCacheDir: r.Terraform.PluginCacheDir,
			PluginMirror: r.Terraform.PluginMirror,
			LockTimeout:  v.duration("terraform.lock_timeout", r.Terraform.LockTimeout, DefaultTerraformLockTimeout, 0),
		},
		DefaultSeverity:      drift.DefaultSeverity,
		StateRefreshInterval: v.duration("state_refresh_interval", r.StateRefreshInterval, DefaultStateRefreshInterval, time.Second),
		TrustedActors:        v.nonEmpty("trusted_actors", r.TrustedActors),
		IgnoreFile:           or(r.IgnoreFile, DefaultIgnoreFile),
		Output:               v.output(&r.Output),
	}
	if r.DefaultSeverity != "" {
		if s, ok := v.severity("default_severity", r.DefaultSeverity); ok {
			c.DefaultSeverity = s
		}
	}
	c.GitHub = v.github(r.GitHub)
	// Notifications first: rules and storm control name their sinks.
	c.Notifications = v.notifications(&r.Notifications)
	v.sinks = v.configuredSinks(c.Notifications, c.Output)
	v.exempt(c.Notifications.StormControl.Exempt)
	c.Rules = v.rules(r.DriftRules)
	return c
}

// Keys that tfdrift-falco's multi-account and multi-cloud configs carry
// and tfdrift reads but does not use. They load, so those files keep
// working, with a warning that says so; docs/config.md does not list them.
const (
	unusedRegions     = "accepted for compatibility but not used: tfdrift watches every region its inputs deliver; to treat regions differently, use drift_rules[].filters.regions"
	unusedProjects    = "accepted for compatibility but not used: tfdrift watches every project its inputs deliver; to treat projects differently, use drift_rules[].filters.accounts"
	unusedAccountName = "accepted for compatibility but not used: drifts and notices name the account by its ID (a comment says the same to a reader)"
)

// unused warns that a key tfdrift does not use is set.
func (v *validator) unused(path string, set bool, why string) {
	if set {
		v.warnAt(path, "%s", why)
	}
}

// enabled reads an "enabled" flag: a block that is present is on unless
// it says enabled: false.
func enabled(b *bool) bool { return b == nil || *b }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// required reports a missing value; what says what belongs there.
func (v *validator) required(path, value, what string) bool {
	if value != "" || v.unchecked(path) {
		return true
	}
	v.errAt(path, "missing: %s", what)
	return false
}

// nonEmpty checks a list of names for empty entries.
func (v *validator) nonEmpty(path string, list []string) []string {
	for i, s := range list {
		if strings.TrimSpace(s) == "" && !v.unknownValue(indexPath(path, i)) {
			v.errAt(indexPath(path, i), "empty entry")
		}
	}
	return list
}

// oneOf checks value against the allowed words, suggesting the nearest.
func (v *validator) oneOf(path, value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	if v.unknownValue(path) {
		return false
	}
	if s := closest(value, allowed); s != "" {
		v.errAt(path, "unknown value %q; did you mean %q?", truncate(value, 40), s)
	} else {
		v.errAt(path, "unknown value %q (want one of %s)", truncate(value, 40), strings.Join(allowed, ", "))
	}
	return false
}

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (v *validator) severity(path, s string) (drift.Severity, bool) {
	sev, err := drift.ParseSeverity(s)
	if err == nil {
		return sev, true
	}
	v.oneOf(path, strings.ToLower(strings.TrimSpace(s)), severityNames...)
	return "", false
}

// duration parses a Go duration ("90s", "5m") no shorter than min.
func (v *validator) duration(path, s string, def, min time.Duration) time.Duration {
	if s == "" || v.unknownValue(path) {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		v.errAt(path, "not a duration (write it like 90s, 5m or 1h30m)")
		return def
	}
	if d < min {
		v.errAt(path, "must be at least %s", min)
		return def
	}
	return d
}

// httpURL checks for an absolute http(s) URL. The value is not echoed:
// webhook URLs carry tokens.
func (v *validator) httpURL(path, s string) {
	if s == "" || v.unknownValue(path) {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.errAt(path, "not an absolute http:// or https:// URL")
	}
}

func (v *validator) arn(path, s string) {
	if s == "" || v.unknownValue(path) {
		return
	}
	if !strings.HasPrefix(s, "arn:") || strings.Count(s, ":") < 5 {
		v.errAt(path, "%q is not an ARN (arn:aws:iam::123456789012:role/Name)", truncate(s, 80))
	}
}

func (v *validator) hostPort(path, s string) {
	if s == "" || v.unknownValue(path) {
		return
	}
	_, port, err := net.SplitHostPort(s)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 0 || n > 65535 {
			err = fmt.Errorf("bad port")
		}
	}
	if err != nil {
		v.errAt(path, "%q is not host:port (like :8080 or 127.0.0.1:8080)", truncate(s, 60))
	}
}

func (v *validator) port(path string, p int) {
	if p < 0 || p > 65535 {
		v.errAt(path, "%d is not a TCP port (1-65535)", p)
	}
}

var (
	awsRegion    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	awsAccountID = regexp.MustCompile(`^[0-9]{12}$`)
	// GCP project IDs, with the legacy domain-scoped form (example.com:p).
	gcpProject = regexp.MustCompile(`^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
)

func (v *validator) regions(path string, list []string) []string {
	for i, r := range list {
		p := indexPath(path, i)
		if !awsRegion.MatchString(r) && !v.unknownValue(p) {
			v.errAt(p, "%q is not an AWS region name (like us-east-1)", truncate(r, 40))
		}
	}
	return list
}

func (v *validator) providers(r *rawProviders) Providers {
	var p Providers
	if a := r.AWS; a != nil {
		const path = "providers.aws"
		v.unused(path+".regions", len(a.Regions) > 0, unusedRegions)
		p.AWS = AWS{
			Enabled: enabled(a.Enabled),
			Regions: v.regions(path+".regions", a.Regions),
			States:  v.states(path, a.State, a.States, change.AWS, "", ""),
		}
		seen := map[string]string{}
		for i, ra := range a.Accounts {
			ap := indexPath(path+".accounts", i)
			idPath := ap + ".account_id"
			if v.required(idPath, ra.AccountID, "the 12-digit AWS account ID") && ra.AccountID != "" && !v.unknownValue(idPath) {
				if !awsAccountID.MatchString(ra.AccountID) {
					v.errAt(idPath, "%q is not a 12-digit AWS account ID (quote it so YAML keeps leading zeros)", truncate(ra.AccountID, 40))
				} else if prev, dup := seen[ra.AccountID]; dup {
					v.errAt(idPath, "account %s is already configured at %s", ra.AccountID, prev)
				} else {
					seen[ra.AccountID] = ap
				}
			}
			v.arn(ap+".role_arn", ra.RoleARN)
			v.unused(ap+".name", ra.Name != "", unusedAccountName)
			v.unused(ap+".regions", len(ra.Regions) > 0, unusedRegions)
			p.AWS.Accounts = append(p.AWS.Accounts, AWSAccount{
				AccountID: ra.AccountID,
				Name:      ra.Name,
				Regions:   v.regions(ap+".regions", ra.Regions),
				RoleARN:   ra.RoleARN,
				States:    v.states(ap, ra.State, ra.States, change.AWS, ra.AccountID, ra.RoleARN),
			})
		}
	}
	if g := r.GCP; g != nil {
		const path = "providers.gcp"
		v.unused(path+".projects", len(g.Projects) > 0, unusedProjects)
		for i, proj := range g.Projects {
			pp := indexPath(path+".projects", i)
			if !gcpProject.MatchString(proj) && !v.unknownValue(pp) {
				v.errAt(pp, "%q is not a GCP project ID (6-30 lower-case letters, digits and hyphens)", truncate(proj, 40))
			}
		}
		p.GCP = GCP{
			Enabled:  enabled(g.Enabled),
			Projects: g.Projects,
			States:   v.states(path, g.State, g.States, change.GCP, "", ""),
		}
	}
	return p
}

// states reads a block's "state" (one) or "states" (a list).
func (v *validator) states(parent string, one *rawState, many []rawState, prov change.Provider, account, roleARN string) []StateSource {
	if one != nil && len(many) > 0 {
		v.errAt(parent+".states", "set either state (one) or states (a list), not both")
	}
	var out []StateSource
	if one != nil {
		out = append(out, v.state(parent+".state", one, prov, account, roleARN))
	}
	for i := range many {
		out = append(out, v.state(indexPath(parent+".states", i), &many[i], prov, account, roleARN))
	}
	return out
}

// backendKeys lists the keys that belong to each backend; a key of another
// backend is an error, since it would be silently ignored.
var backendKeys = map[Backend][]string{
	BackendLocal: {"path"},
	BackendS3:    {"s3_bucket", "s3_key", "s3_region", "s3_endpoint", "role_arn", "workspace_key_prefix"},
	BackendGCS:   {"gcs_bucket", "gcs_prefix", "gcs_endpoint"},
}

func (v *validator) state(path string, r *rawState, prov change.Provider, account, roleARN string) StateSource {
	s := StateSource{
		Name:               r.Name,
		Backend:            Backend(r.Backend),
		Provider:           prov,
		Account:            account,
		Path:               r.Path,
		S3Bucket:           r.S3Bucket,
		S3Key:              r.S3Key,
		S3Region:           r.S3Region,
		S3Endpoint:         r.S3Endpoint,
		RoleARN:            or(r.RoleARN, roleARN),
		WorkspaceKeyPrefix: r.WorkspaceKeyPrefix,
		GCSBucket:          r.GCSBucket,
		GCSPrefix:          r.GCSPrefix,
		GCSEndpoint:        r.GCSEndpoint,
		Workspaces:         v.nonEmpty(path+".workspaces", r.Workspaces),
	}
	if s.Backend == "" {
		// Infer the backend from the one key that names a place.
		switch {
		case r.Path != "":
			s.Backend = BackendLocal
		case r.S3Bucket != "":
			s.Backend = BackendS3
		case r.GCSBucket != "":
			s.Backend = BackendGCS
		default:
			v.errAt(path+".backend", "missing: local, s3 or gcs")
			return s
		}
	} else if !v.oneOf(path+".backend", r.Backend, "local", "s3", "gcs") {
		return s
	}
	if s.Backend == BackendLocal && len(r.Workspaces) > 0 {
		v.errAt(path+".workspaces", "applies to s3 and gcs state; a local state file is one workspace (list each file as a state of its own)")
	}
	for b, keys := range backendKeys {
		if b == s.Backend {
			continue
		}
		for _, k := range keys {
			if v.has(path + "." + k) {
				v.errAt(path+"."+k, "does not apply to backend %s", s.Backend)
			}
		}
	}
	switch s.Backend {
	case BackendLocal:
		v.required(path+".path", s.Path, "the state file's path")
		s.RoleARN = ""
		s.Name = or(s.Name, s.Path)
	case BackendS3:
		v.required(path+".s3_bucket", s.S3Bucket, "the bucket holding the state")
		v.required(path+".s3_key", s.S3Key, "the state object's key (terraform.tfstate)")
		v.httpURL(path+".s3_endpoint", s.S3Endpoint)
		v.arn(path+".role_arn", r.RoleARN)
		s.WorkspaceKeyPrefix = or(s.WorkspaceKeyPrefix, DefaultWorkspaceKeyPrefix)
		s.Name = or(s.Name, "s3://"+s.S3Bucket+"/"+s.S3Key)
	case BackendGCS:
		v.required(path+".gcs_bucket", s.GCSBucket, "the bucket holding the state")
		v.httpURL(path+".gcs_endpoint", s.GCSEndpoint)
		s.RoleARN = ""
		s.Name = or(s.Name, strings.TrimSuffix("gs://"+s.GCSBucket+"/"+s.GCSPrefix, "/"))
	}
	if v.stateNames == nil {
		v.stateNames = map[string]string{}
	}
	if prev, dup := v.stateNames[s.Name]; dup && s.Name != "" {
		v.errAt(path, "state source %q is already configured at %s; give one a distinct name", truncate(s.Name, 80), prev)
	} else {
		v.stateNames[s.Name] = path
	}
	return s
}

func (v *validator) falco(r *rawFalco) Falco {
	if r == nil {
		return Falco{}
	}
	f := Falco{
		Enabled:    enabled(r.Enabled),
		Hostname:   r.Hostname,
		Port:       r.Port,
		UnixSocket: strings.TrimPrefix(r.UnixSocket, "unix://"),
		CertFile:   r.CertFile,
		KeyFile:    r.KeyFile,
		CAFile:     r.CAFile,
	}
	if r.HTTP != nil {
		f.HTTP = FalcoHTTP{Listen: r.HTTP.Listen, Secret: r.HTTP.Secret, BearerToken: r.HTTP.BearerToken}
	}
	if !f.Enabled {
		return f
	}
	v.port("falco.port", f.Port)
	v.hostPort("falco.http.listen", f.HTTP.Listen)
	switch {
	case f.Hostname != "" && f.Port == 0 && !v.unchecked("falco.port"):
		v.errAt("falco.port", "missing: Falco's gRPC port (usually 5060)")
	case f.Port != 0 && f.Hostname == "" && !v.unchecked("falco.hostname"):
		v.errAt("falco.hostname", "missing: the host Falco's gRPC server listens on")
	case f.Hostname == "" && f.UnixSocket == "" && f.HTTP.Listen == "" && !v.unknownValue("falco.hostname") && !v.unknownValue("falco.unix_socket") && !v.unknownValue("falco.http.listen"):
		v.errAt("falco", "falco is enabled but has no input: set hostname and port (gRPC), unix_socket, or http.listen")
	}
	if f.Hostname != "" && f.UnixSocket != "" {
		v.errAt("falco.unix_socket", "set either unix_socket or hostname and port, not both: tfdrift reads one Falco gRPC server")
	}
	if (f.CertFile == "") != (f.KeyFile == "") {
		v.errAt("falco.cert_file", "cert_file and key_file go together (the client certificate for mTLS)")
	}
	if (f.CertFile != "" || f.CAFile != "") && f.Hostname == "" {
		v.errAt("falco.cert_file", "cert_file, key_file and ca_file apply to the gRPC connection over TCP; set hostname and port")
	}
	if f.Hostname != "" && (f.CertFile == "" && f.KeyFile == "" || f.CAFile == "") && !v.unknownValue("falco.cert_file") && !v.unknownValue("falco.ca_file") {
		v.errAt("falco.hostname", "Falco's gRPC over TCP is always mutual TLS: set cert_file, key_file and ca_file (or use unix_socket on the same host)")
	}
	return f
}

func (v *validator) sqs(r *rawSQS) SQS {
	if r == nil {
		return SQS{}
	}
	q := SQS{
		Enabled: enabled(r.Enabled), QueueURL: r.QueueURL, DLQURL: r.DLQURL, Region: r.Region,
		Endpoint: r.Endpoint, RoleARN: r.RoleARN, MaxReceives: r.MaxReceives, Pollers: r.Pollers,
		VisibilityTimeout: v.duration("sqs.visibility_timeout", r.VisibilityTimeout, DefaultSQSVisibilityTimeout, time.Second),
	}
	if q.MaxReceives == 0 {
		q.MaxReceives = DefaultSQSMaxReceives
	}
	if q.Pollers == 0 {
		q.Pollers = DefaultSQSPollers
	}
	if !q.Enabled {
		return q
	}
	if v.required("sqs.queue_url", q.QueueURL, "the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)") {
		v.httpURL("sqs.queue_url", q.QueueURL)
	}
	if q.DLQURL != "" {
		v.httpURL("sqs.dlq_url", q.DLQURL)
		if strings.HasSuffix(q.DLQURL, ".fifo") {
			// SendMessage to a FIFO queue needs a message group; poison
			// messages would then fail to leave and be received forever.
			v.errAt("sqs.dlq_url", "is a FIFO queue; tfdrift dead-letters to a standard queue")
		}
	}
	if q.Endpoint != "" {
		v.httpURL("sqs.endpoint", q.Endpoint)
	}
	if q.MaxReceives < 1 {
		v.errAt("sqs.max_receives", "must be at least 1")
	}
	if q.Pollers < 1 || q.Pollers > 64 {
		v.errAt("sqs.pollers", "must be between 1 and 64")
	}
	return q
}

func (v *validator) output(r *rawOutput) Output {
	o := Output{Mode: or(r.Mode, OutputText), File: r.File}
	v.oneOf("output.mode", o.Mode, OutputText, OutputJSON)
	return o
}
