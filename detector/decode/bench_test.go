package decode

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/cputime"
	"github.com/tfdrift/tfdrift/internal/naivejson"
)

// benchEvent is one kind of CloudTrail event in the benchmark mix.
type benchEvent struct {
	name, source string
	readOnly     bool
	request      string
	response     string
}

// benchMix approximates a busy account's trail: mostly reads and writes no
// catalog entry cares about, and about 10% drift-relevant writes.
var (
	benchReads = []benchEvent{
		{name: "DescribeInstances", source: "ec2.amazonaws.com", readOnly: true,
			request: `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Name","valueSet":{"items":[{"value":"web-*"}]}}]},"maxResults":1000}`},
		{name: "DescribeSecurityGroups", source: "ec2.amazonaws.com", readOnly: true,
			request: `{"securityGroupSet":{},"securityGroupIdSet":{"items":[{"groupId":"sg-0123456789abcdef0"}]},"filterSet":{}}`},
		{name: "GetObject", source: "s3.amazonaws.com", readOnly: true,
			request: `{"bucketName":"app-artifacts-prod","Host":"app-artifacts-prod.s3.us-east-1.amazonaws.com","key":"releases/2025/01/build-8812.tar.gz"}`},
		{name: "ListBuckets", source: "s3.amazonaws.com", readOnly: true, request: `{"Host":"s3.amazonaws.com"}`},
		{name: "GetBucketPolicy", source: "s3.amazonaws.com", readOnly: true,
			request: `{"bucketName":"corp-audit-logs","Host":"corp-audit-logs.s3.amazonaws.com","policy":""}`},
		{name: "Decrypt", source: "kms.amazonaws.com", readOnly: true,
			request: `{"encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:orders-api"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`},
		{name: "ListFunctions20150331", source: "lambda.amazonaws.com", readOnly: true, request: `{"maxItems":50}`},
	}
	benchIrrelevantWrites = []benchEvent{
		{name: "AssumeRole", source: "sts.amazonaws.com",
			request:  `{"roleArn":"arn:aws:iam::123456789012:role/ci-deployer","roleSessionName":"deploy-bot","durationSeconds":3600}`,
			response: `{"credentials":{"accessKeyId":"ASIAEXAMPLEEXAMPLE01","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE","expiration":"Jan 20, 2025, 3:32:15 PM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLE:deploy-bot","arn":"arn:aws:sts::123456789012:assumed-role/ci-deployer/deploy-bot"}}`},
		{name: "PutObject", source: "s3.amazonaws.com",
			request: `{"bucketName":"app-logs","Host":"app-logs.s3.amazonaws.com","key":"2025/01/20/14/app-7f9c.log.gz","x-amz-server-side-encryption":"aws:kms"}`},
		{name: "CreateLogStream", source: "logs.amazonaws.com",
			request: `{"logGroupName":"/aws/lambda/orders-api","logStreamName":"2025/01/20/[$LATEST]4c1f0e9a7b6d"}`},
		{name: "UpdateInstanceInformation", source: "ssm.amazonaws.com",
			request: `{"instanceId":"i-0123456789abcdef0","agentVersion":"3.3.40.0","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023"}`},
	}
	benchRelevantWrites = []benchEvent{
		{name: "AuthorizeSecurityGroupIngress", source: "ec2.amazonaws.com",
			request:  `{"groupId":"sg-0123456789abcdef0","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`,
			response: `{"requestId":"5a2c1b7e-0c0e-4f3e-9a55-0f4f6c1f2d11","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"123456789012","groupId":"sg-0123456789abcdef0","securityGroupRuleId":"sgr-0a1b2c3d4e5f67890","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}}`},
		{name: "ModifyInstanceAttribute", source: "ec2.amazonaws.com",
			request:  `{"instanceId":"i-0123456789abcdef0","instanceType":{"value":"m5.8xlarge"}}`,
			response: `{"requestId":"0f0e0d0c-1111-2222-3333-444455556666","_return":true}`},
		{name: "PutRolePolicy", source: "iam.amazonaws.com",
			request: `{"roleName":"app_role","policyName":"app_policy","policyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3A%2A%22%5D%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}`},
		{name: "UpdateFunctionConfiguration20150331v2", source: "lambda.amazonaws.com",
			request:  `{"functionName":"orders-api","timeout":900,"memorySize":3008}`,
			response: `{"functionName":"orders-api","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:orders-api","runtime":"python3.12","timeout":900,"memorySize":3008,"version":"$LATEST","state":"Active"}`},
	}
)

// benchKeep is what the detector's catalog filter looks like: a map of
// the event names it maps, and no read-only calls.
var benchKeep = func() func(change.Provider, string) bool {
	names := map[string]bool{}
	for _, e := range benchRelevantWrites {
		names[change.NormalizeAWSEventName(e.name)] = true
	}
	return func(p change.Provider, name string) bool { return p == change.AWS && names[name] }
}()

// benchRecord renders one realistic CloudTrail record (1–2 KB).
func benchRecord(rng *rand.Rand, i int, e benchEvent) []byte {
	session := fmt.Sprintf("user%03d@example.com", rng.IntN(500))
	response := e.response
	if response == "" {
		response = "null"
	}
	return fmt.Appendf(nil, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA3EXAMPLEXAMPLEXX:%[1]s",`+
		`"arn":"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUserAccess_0123456789abcdef/%[1]s","accountId":"123456789012",`+
		`"accessKeyId":"ASIA3EXAMPLE%08[2]d","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA3EXAMPLEXAMPLEXX",`+
		`"arn":"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PowerUserAccess_0123456789abcdef",`+
		`"accountId":"123456789012","userName":"AWSReservedSSO_PowerUserAccess_0123456789abcdef"},"webIdFederationData":{},`+
		`"attributes":{"creationDate":"2025-01-20T13:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2025-01-20T14:%02[3]d:%02[4]dZ",`+
		`"eventSource":"%[5]s","eventName":"%[6]s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%[7]d",`+
		`"userAgent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/%[5]s#1.0.0",`+
		`"requestParameters":%[8]s,"responseElements":%[9]s,"requestID":"%08[2]d-0c0e-4f3e-9a55-0f4f6c1f2d11",`+
		`"eventID":"%08[2]d-5678-90ab-cdef-1234567890ab","readOnly":%[10]t,"eventType":"AwsApiCall","managementEvent":true,`+
		`"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3",`+
		`"cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%[5]s"},"sessionCredentialFromConsole":"true"}`,
		session, i, rng.IntN(60), rng.IntN(60), e.source, e.name, rng.IntN(250), e.request, response, e.readOnly)
}

// benchNDJSON builds n records: 60% reads, 30% irrelevant writes, 10%
// writes that Keep accepts.
func benchNDJSON(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	for i := range n {
		var e benchEvent
		switch r := rng.IntN(10); {
		case r < 6:
			e = benchReads[rng.IntN(len(benchReads))]
		case r < 9:
			e = benchIrrelevantWrites[rng.IntN(len(benchIrrelevantWrites))]
		default:
			e = benchRelevantWrites[rng.IntN(len(benchRelevantWrites))]
		}
		buf.Write(benchRecord(rng, i, e))
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

const benchRecords = 10_000

func BenchmarkStreamNDJSONMix(b *testing.B) {
	data := benchNDJSON(benchRecords)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var stats Stats
	cpu0 := cputime.Process()
	for b.Loop() {
		var err error
		stats, err = Stream(bytes.NewReader(data), Options{Name: "bench.ndjson", Keep: benchKeep}, func(r Record) error { return r.Err })
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu := cputime.Process() - cpu0
	if stats.Records != benchRecords || stats.Decoded == 0 || stats.Skipped == 0 {
		b.Fatalf("unexpected stats %+v", stats)
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(benchRecords)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(float64(len(data))/benchRecords, "bytes/event")
}

// BenchmarkStreamNDJSONMixEncodingJSON is the baseline the README
// publishes BenchmarkStreamNDJSONMix against: the same lines decoded the
// naive way (internal/naivejson), then filtered by the same Keep.
func BenchmarkStreamNDJSONMixEncodingJSON(b *testing.B) {
	data := benchNDJSON(benchRecords)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	kept := 0
	cpu0 := cputime.Process()
	for b.Loop() {
		kept = 0
		err := naivejson.Decode(lines, func(r *naivejson.CloudTrail) {
			if benchKeep(change.AWS, change.NormalizeAWSEventName(r.EventName)) {
				kept++
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu := cputime.Process() - cpu0
	if kept == 0 || kept == len(lines) {
		b.Fatalf("kept %d of %d", kept, len(lines))
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(benchRecords)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
}

// BenchmarkStreamLogFileGzip is the replay of gzip CloudTrail log files:
// the same mix, as one {"Records":[...]} file.
func BenchmarkStreamLogFileGzip(b *testing.B) {
	lines := bytes.Split(bytes.TrimSpace(benchNDJSON(benchRecords)), []byte("\n"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"Records":[`))
	zw.Write(bytes.Join(lines, []byte(",")))
	zw.Write([]byte(`]}`))
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		stats, err := Stream(bytes.NewReader(gz.Bytes()), Options{Keep: benchKeep}, func(r Record) error { return r.Err })
		if err != nil || stats.Records != benchRecords {
			b.Fatalf("stats %+v, err %v", stats, err)
		}
	}
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDecodeCloudTrailRecord(b *testing.B) {
	rec := benchRecord(rand.New(rand.NewPCG(1, 2)), 1, benchRelevantWrites[0])
	if !json.Valid(rec) {
		b.Fatal("invalid benchmark record")
	}
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		changes, err := Decode(rec, Options{})
		if err != nil || len(changes) != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
