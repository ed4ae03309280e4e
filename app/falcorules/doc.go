// Package falcorules generates, from the catalog, everything that tells an
// upstream event source which audit events tfdrift needs: the Falco rules
// file for the cloudtrail and gcpaudit plugins, the values for the
// falcosecurity/falco Helm chart that load those plugins and post alerts to
// tfdrift, and the EventBridge event pattern for the EventBridge → SQS
// path.
//
// The outputs are derived, never written by hand, so that a catalog entry
// added later is forwarded by Falco on the next `tfdrift falco-rules` run
// (and the committed copies under deploy/ are checked against this package
// by its tests). Two facts shape them:
//
//   - A Falco alert carries only the fields its rule's output names or that
//     append_output adds. The decoder (detector/decode) needs the whole
//     request and response and the caller's identity, so every rule names
//     every field of AWSOutputFields or GCPOutputFields, and the values add
//     them again through append_output.extra_fields (Falco 0.39 and later).
//   - CloudTrail names some calls with an API-version suffix
//     (UpdateFunctionConfiguration20150331v2) and GCP prefixes methods with
//     the API version (v1.compute.firewalls.patch), while the catalog holds
//     the normalised names. The rules match the versioned spellings too.
//
// Run is the falco-rules job (`tfdrift falco-rules`); exit status 0 when
// it printed, 1 for an unknown format or provider, or arguments.
//
// The package imports the catalog, detector/change and app/job only; it
// must not import the decoder, the engine or anything that does I/O on
// its own (Run writes to the Env it is given).
package falcorules
