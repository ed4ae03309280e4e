package sqsfake

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// apiError is an error response in the AWS JSON protocol.
type apiError struct {
	status int
	// typ is the error shape name; ns its namespace in "__type".
	typ, ns string
	msg     string
	// query is the legacy query-protocol code and fault, sent in
	// x-amzn-query-error when the client asks for query compatibility.
	query, fault string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if r.Header.Get("X-Amzn-Query-Mode") == "true" && e.query != "" {
		w.Header().Set("X-Amzn-Query-Error", e.query+";"+e.fault)
	}
	writeJSON(w, e.status, map[string]string{"__type": e.ns + "#" + e.typ, "message": e.msg})
}

const (
	nsSQS     = "com.amazonaws.sqs"
	nsService = "com.amazon.coral.service"
	nsValid   = "com.amazon.coral.validate"
)

func errQueueDoesNotExist(msg string) *apiError {
	return &apiError{status: 400, typ: "QueueDoesNotExist", ns: nsSQS, msg: msg, query: "AWS.SimpleQueueService.NonExistentQueue", fault: "Sender"}
}

func errQueueNameExists(msg string) *apiError {
	return &apiError{status: 400, typ: "QueueNameExists", ns: nsSQS, msg: msg, query: "QueueAlreadyExists", fault: "Sender"}
}

func errReceiptHandleIsInvalid(msg string) *apiError {
	return &apiError{status: 400, typ: "ReceiptHandleIsInvalid", ns: nsSQS, msg: msg, query: "ReceiptHandleIsInvalid", fault: "Sender"}
}

func errMessageNotInflight(msg string) *apiError {
	return &apiError{status: 400, typ: "MessageNotInflight", ns: nsSQS, msg: msg, query: "AWS.SimpleQueueService.MessageNotInflight", fault: "Sender"}
}

func errInvalidMessageContents(msg string) *apiError {
	return &apiError{status: 400, typ: "InvalidMessageContents", ns: nsSQS, msg: msg, query: "InvalidMessageContents", fault: "Sender"}
}

func errEmptyBatch() *apiError {
	return &apiError{status: 400, typ: "EmptyBatchRequest", ns: nsSQS, msg: "There should be at least one entry in the request.", query: "AWS.SimpleQueueService.EmptyBatchRequest", fault: "Sender"}
}

func errTooManyEntries() *apiError {
	return &apiError{status: 400, typ: "TooManyEntriesInBatchRequest", ns: nsSQS, msg: "Maximum number of entries per request are 10.", query: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", fault: "Sender"}
}

func errBatchIDsNotDistinct(id string) *apiError {
	return &apiError{status: 400, typ: "BatchEntryIdsNotDistinct", ns: nsSQS, msg: "Id " + id + " repeated.", query: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", fault: "Sender"}
}

func errInvalidBatchEntryID(id string) *apiError {
	return &apiError{status: 400, typ: "InvalidBatchEntryId", ns: nsSQS, msg: "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long: " + id, query: "AWS.SimpleQueueService.InvalidBatchEntryId", fault: "Sender"}
}

func errInvalidParameter(msg string) *apiError {
	return &apiError{status: 400, typ: "ValidationException", ns: nsValid, msg: msg, query: "InvalidParameterValue", fault: "Sender"}
}

func errUnsupported(msg string) *apiError {
	return &apiError{status: 400, typ: "UnsupportedOperation", ns: nsSQS, msg: msg, query: "AWS.SimpleQueueService.UnsupportedOperation", fault: "Sender"}
}

func errUnknownOperation(msg string) *apiError {
	return &apiError{status: 400, typ: "UnknownOperationException", ns: nsService, msg: msg}
}

func errSerialization(msg string) *apiError {
	return &apiError{status: 400, typ: "SerializationException", ns: nsService, msg: msg}
}

func errMissingAuth(msg string) *apiError {
	return &apiError{status: 403, typ: "MissingAuthenticationTokenException", ns: nsService, msg: msg, query: "MissingAuthenticationToken", fault: "Sender"}
}

func errIncompleteSignature(msg string) *apiError {
	return &apiError{status: 400, typ: "IncompleteSignatureException", ns: nsService, msg: msg, query: "IncompleteSignature", fault: "Sender"}
}

func errInvalidSignature(msg string) *apiError {
	return &apiError{status: 403, typ: "InvalidSignatureException", ns: nsService, msg: msg, query: "SignatureDoesNotMatch", fault: "Sender"}
}

func errUnrecognizedClient(msg string) *apiError {
	return &apiError{status: 403, typ: "UnrecognizedClientException", ns: nsService, msg: msg, query: "InvalidClientTokenId", fault: "Sender"}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func requestID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
