package catalog

import (
	"encoding/json"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const lambdaService = "lambda.amazonaws.com"

// Lambda functions. CloudTrail names Lambda calls with an API-version
// suffix (UpdateFunctionConfiguration20150331v2, AddPermission20150331v2,
// PutFunctionConcurrency20171031); the catalog holds the normalised names.
// functionName in a request may be a name, a full or partial ARN, or a
// qualified ARN; aws_lambda_function is found by its plain function_name.
// Environment variables are sensitive and never logged in clear.
var lambdaEntries = []Entry{
	{
		Provider: change.AWS, Service: lambdaService, Event: "UpdateFunctionConfiguration",
		Doc: "changes a function's runtime settings, role, environment or layers",
		Targets: []Target{{
			Type: "aws_lambda_function", Op: Modify, Key: "function_name", ID: lambdaFunctionName(),
			Attrs: []Attr{
				{Name: "handler", Value: Req("handler")},
				{Name: "runtime", Value: Req("runtime")},
				{Name: "role", Value: Req("role")},
				{Name: "timeout", Value: Req("timeout")},
				{Name: "memory_size", Value: Req("memorySize")},
				{Name: "description", Value: Req("description")},
				{Name: "layers", Value: Req("layers")},
				{Name: "kms_key_arn", Value: Req("kMSKeyArn", "kmsKeyArn")},
				{Name: "environment", Value: lambdaEnvironment()},
				{Name: "tracing_config", Value: lambdaBlock("tracingConfig", map[string]string{"mode": "mode"})},
				{Name: "ephemeral_storage", Value: lambdaBlock("ephemeralStorage", map[string]string{"size": "size"})},
			},
		}},
	},
	{
		// The response carries the new package's SHA-256 (base64, the
		// form of filebase64sha256), which the provider reads into
		// code_sha256 (v5.51+) and source_code_hash, so re-uploading the
		// same package is not drift.
		Provider: change.AWS, Service: lambdaService, Event: "UpdateFunctionCode",
		Doc: "replaces a function's code package or image",
		Targets: []Target{{
			Type: "aws_lambda_function", Op: Modify, Key: "function_name", ID: lambdaFunctionName(),
			Attrs: []Attr{
				{Name: "source_code_hash", Value: lambdaCodeHash()},
				{Name: "code_sha256", Value: lambdaCodeHash()},
				{Name: "image_uri", Value: Req("imageUri")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: lambdaService, Event: "CreateFunction",
		Doc: "creates a function",
		Targets: []Target{{
			Type: "aws_lambda_function", Op: Create, Key: "function_name",
			ID: AnyID(RespID("functionName"), lambdaFunctionName()),
			Attrs: []Attr{
				{Name: "arn", Value: Resp("functionArn")},
				{Name: "runtime", Value: Req("runtime")},
				{Name: "handler", Value: Req("handler")},
				{Name: "role", Value: Req("role")},
				{Name: "package_type", Value: Resp("packageType")},
			},
		}},
	},
	{
		// With a qualifier DeleteFunction removes one published version;
		// the function stays.
		Provider: change.AWS, Service: lambdaService, Event: "DeleteFunction",
		Doc:     "deletes a function (not a version of it)",
		Targets: []Target{{Type: "aws_lambda_function", Op: Delete, Key: "function_name", ID: lambdaUnqualifiedFunction()}},
	},
	{
		Provider: change.AWS, Service: lambdaService, Event: "PutFunctionConcurrency",
		Doc: "reserves concurrency for a function",
		Targets: []Target{{
			Type: "aws_lambda_function", Op: Modify, Key: "function_name", ID: lambdaFunctionName(),
			Attrs: []Attr{{Name: "reserved_concurrent_executions", Value: Req("reservedConcurrentExecutions")}},
		}},
	},
	{
		// The provider stores "no reservation" as -1.
		Provider: change.AWS, Service: lambdaService, Event: "DeleteFunctionConcurrency",
		Doc: "removes a function's reserved concurrency",
		Targets: []Target{{
			Type: "aws_lambda_function", Op: Modify, Key: "function_name", ID: lambdaFunctionName(),
			Attrs: []Attr{{Name: "reserved_concurrent_executions", Value: Const(json.Number("-1"))}},
		}},
	},
	{
		// aws_lambda_permission's ID is its statement_id, which is only
		// unique within one function ("AllowExecutionFromAPIGateway" is in
		// many), so permissions are found by function and statement.
		// function_name in state is what the code wrote: the function's
		// name in the common form (aws_lambda_function.x.function_name);
		// a permission written with the function's ARN is not matched.
		Provider: change.AWS, Service: lambdaService, Event: "AddPermission",
		Doc: "grants a principal the right to invoke a function",
		Targets: []Target{{
			Type: "aws_lambda_permission", Op: Create, Key: "function_name:statement_id",
			ID: JoinID(":", lambdaFunctionName(), ReqID("statementId")),
			Attrs: []Attr{
				{Name: "function_name", Value: lambdaFunctionNameValue()},
				{Name: "statement_id", Value: Req("statementId")},
				{Name: "action", Value: Req("action")},
				{Name: "principal", Value: Req("principal")},
				{Name: "source_arn", Value: Req("sourceArn")},
				{Name: "source_account", Value: Req("sourceAccount")},
				{Name: "qualifier", Value: Req("qualifier")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: lambdaService, Event: "RemovePermission",
		Doc: "removes a statement from a function's resource policy",
		Targets: []Target{{
			Type: "aws_lambda_permission", Op: Delete, Key: "function_name:statement_id",
			ID: JoinID(":", lambdaFunctionName(), ReqID("statementId")),
		}},
	},
}

func init() { registerGuarded(lambdaEntries) }

// lambdaName reduces a FunctionName parameter to the plain name:
// "arn:aws:lambda:us-east-1:123456789012:function:api:PROD" and
// "123456789012:function:api" both give "api".
func lambdaName(s string) string {
	if i := strings.Index(s, ":function:"); i >= 0 {
		s = s[i+len(":function:"):]
		if j := strings.IndexByte(s, ':'); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

// lambdaFunctionName names the function from the response's plain
// functionName when the call returns the configuration, else from the
// request.
func lambdaFunctionName() IDs {
	return AnyID(RespID("functionName"), MapID(ReqID("functionName"), lambdaName))
}

func lambdaFunctionNameValue() Value {
	return Transform(Req("functionName"), func(x any) (any, bool) {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, false
		}
		return lambdaName(s), true
	})
}

// lambdaUnqualifiedFunction names the function of a DeleteFunction call
// unless the call deletes a version: a Qualifier parameter or a qualified
// ARN (…:function:name:3).
func lambdaUnqualifiedFunction() IDs {
	return func(e *Event) []string {
		if ctString(e.Req(), "qualifier") != "" {
			return nil
		}
		raw := ctString(e.Req(), "functionName")
		if i := strings.Index(raw, ":function:"); i >= 0 && strings.Contains(raw[i+len(":function:"):], ":") {
			return nil
		}
		if n := lambdaName(raw); n != "" {
			return []string{n}
		}
		return nil
	}
}

// lambdaEnvironment derives environment ([{variables}]). CloudTrail hides
// the variables, so the write is reported with its value unknown; should a
// record carry them in clear, they are used.
func lambdaEnvironment() Value {
	return func(e *Event, _ any) (any, bool) {
		env, present := firstValue(e.Req(), []string{"environment"})
		if !present {
			return nil, false
		}
		vars, ok := asMap(env)["variables"].(map[string]any)
		if !ok {
			return Unknown, true
		}
		for _, v := range vars {
			if s, _ := v.(string); s == "" || strings.Contains(s, "sensitiveDataRemoved") || strings.Trim(s, "*") == "" {
				return Unknown, true
			}
		}
		return []any{map[string]any{"variables": vars}}, true
	}
}

// lambdaBlock derives a one-object block (tracing_config, ephemeral_storage)
// from a request object, mapping Terraform keys to request keys.
func lambdaBlock(path string, keys map[string]string) Value {
	return func(e *Event, _ any) (any, bool) {
		obj, ok := First(e.Req(), path).(map[string]any)
		if !ok {
			return nil, false
		}
		out := map[string]any{}
		for tf, req := range keys {
			if v, ok := obj[req]; ok {
				out[tf] = v
			}
		}
		if len(out) == 0 {
			return nil, false
		}
		return []any{out}, true
	}
}

// lambdaCodeHash derives the deployed package's hash from the response;
// when the record has no response (some Falco rules drop it) the write is
// known but its value is not.
func lambdaCodeHash() Value {
	return func(e *Event, _ any) (any, bool) {
		if h := ctString(e.Resp(), "codeSha256"); h != "" {
			return h, true
		}
		for _, p := range []string{"zipFile", "s3Key", "imageUri"} {
			if _, ok := firstValue(e.Req(), []string{p}); ok {
				return Unknown, true
			}
		}
		return nil, false
	}
}
