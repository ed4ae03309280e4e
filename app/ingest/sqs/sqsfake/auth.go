package sqsfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFmt   = "20060102T150405Z"
	// maxSkew is how far X-Amz-Date may be from the server's clock.
	maxSkew = 5 * time.Minute
)

// sigV4 is a parsed Authorization header.
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

// authenticate checks the SigV4 Authorization header: its shape always,
// the key and signature when the server knows the credentials.
func (s *Server) authenticate(r *http.Request, body []byte, now time.Time) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return errMissingAuth("Request is missing Authentication Token")
	}
	sig, aerr := parseAuthorization(auth)
	if aerr != nil {
		return aerr
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDateFmt, amzDate)
	if err != nil {
		return errIncompleteSignature("X-Amz-Date " + strconv.Quote(amzDate) + " is not in the form " + amzDateFmt)
	}
	switch {
	case sig.date != amzDate[:8]:
		return errInvalidSignature("credential scope date " + sig.date + " does not match X-Amz-Date " + amzDate)
	case sig.region != s.opts.Region:
		return errInvalidSignature("credential scope region " + strconv.Quote(sig.region) + ", want " + strconv.Quote(s.opts.Region))
	case sig.service != "sqs":
		return errInvalidSignature("credential scope service " + strconv.Quote(sig.service) + ", want \"sqs\"")
	case now.Sub(t) > maxSkew || t.Sub(now) > maxSkew:
		return errInvalidSignature("Signature expired: " + amzDate + " is more than 5 minutes from the server's time " + now.UTC().Format(amzDateFmt))
	}
	for _, h := range []string{"host", "x-amz-date"} {
		if !slices.Contains(sig.signedHeaders, h) {
			return errIncompleteSignature("SignedHeaders must include " + h)
		}
	}
	if s.opts.AccessKeyID != "" && sig.accessKey != s.opts.AccessKeyID {
		return errUnrecognizedClient("The security token included in the request is invalid: unknown access key " + sig.accessKey)
	}
	if s.opts.SecretAccessKey == "" {
		return nil
	}
	want := signature(s.opts.SecretAccessKey, sig, amzDate, canonicalRequest(r, sig.signedHeaders, body))
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return errInvalidSignature("The request signature we calculated does not match the signature you provided.")
	}
	return nil
}

// parseAuthorization reads
// "AWS4-HMAC-SHA256 Credential=AK/20250120/us-east-1/sqs/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<64 hex>".
func parseAuthorization(auth string) (sigV4, *apiError) {
	var sig sigV4
	rest, ok := strings.CutPrefix(auth, sigAlgorithm+" ")
	if !ok {
		alg, _, _ := strings.Cut(auth, " ")
		return sig, errIncompleteSignature("Authorization algorithm " + strconv.Quote(alg) + ", want " + sigAlgorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sig, errIncompleteSignature("Authorization component " + strconv.Quote(part) + " is not key=value")
		}
		fields[k] = v
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[k] == "" {
			return sig, errIncompleteSignature("Authorization header requires a '" + k + "' parameter")
		}
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[0] == "" || scope[4] != "aws4_request" || len(scope[1]) != 8 {
		return sig, errIncompleteSignature("Credential " + strconv.Quote(fields["Credential"]) + " is not <key>/<yyyymmdd>/<region>/<service>/aws4_request")
	}
	sig.accessKey, sig.date, sig.region, sig.service = scope[0], scope[1], scope[2], scope[3]
	sig.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	if !slices.IsSorted(sig.signedHeaders) || slices.ContainsFunc(sig.signedHeaders, func(h string) bool { return h == "" || h != strings.ToLower(h) }) {
		return sig, errIncompleteSignature("SignedHeaders " + strconv.Quote(fields["SignedHeaders"]) + " must be lower case, sorted and separated by ';'")
	}
	sig.signature = fields["Signature"]
	if _, err := hex.DecodeString(sig.signature); err != nil || len(sig.signature) != 64 || sig.signature != strings.ToLower(sig.signature) {
		return sig, errIncompleteSignature("Signature must be 64 lower-case hex digits")
	}
	return sig, nil
}

// canonicalRequest builds SigV4's canonical request from what arrived.
func canonicalRequest(r *http.Request, signed []string, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r))
	b.WriteByte('\n')
	for _, h := range signed {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode is SigV4's encoding: everything but unreserved characters.
func uriEncode(s string) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

// headerValue returns a signed header's canonical value. Go's server moves
// Host and Content-Length out of r.Header.
func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vs := r.Header.Values(name) // the header's own slice: do not modify
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func signature(secret string, sig sigV4, amzDate, canonical string) string {
	scope := sig.date + "/" + sig.region + "/" + sig.service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := sigAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), sig.date)
	key = hmacSHA256(key, sig.region)
	key = hmacSHA256(key, sig.service)
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
