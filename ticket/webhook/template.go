package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/rewrite"
)

// Names of the escapers ParseTemplate appends; the prefix keeps them clear
// of anything a template author would call.
const (
	escValue  = "_tfdrift_json_value"
	escString = "_tfdrift_json_string"
)

// Template is a parsed payload_template, escaped for JSON.
type Template struct {
	t *template.Template
}

// ParseTemplate parses a payload template and escapes its actions for
// JSON (see the package documentation). name is used in error messages.
func ParseTemplate(name, text string) (*Template, error) {
	funcs := ticket.TemplateFuncs()
	funcs[escValue] = jsonValue
	funcs[escString] = jsonStringContent
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, err
	}
	if err := rewrite.Rewrite(t, jsonLexer{}); err != nil {
		return nil, err
	}
	return &Template{t: t}, nil
}

// InvalidJSONError is a rendered payload that is not JSON. It names the
// byte offset of the problem but never quotes the payload, which may hold
// expanded secrets (a routing key in the template).
type InvalidJSONError struct {
	Template string
	Offset   int64
	Err      error
}

func (e *InvalidJSONError) Error() string {
	return fmt.Sprintf("payload template %s rendered invalid JSON at byte %d: %v", e.Template, e.Offset, e.Err)
}

func (e *InvalidJSONError) Unwrap() error { return e.Err }

// MaxPayloadBytes bounds a rendered payload. Receivers reject far smaller
// bodies; the bound stops a runaway {{range}} from eating memory.
const MaxPayloadBytes = 1 << 20

// errTooLarge stops a template run that outgrew MaxPayloadBytes.
var errTooLarge = fmt.Errorf("payload exceeds %d bytes", MaxPayloadBytes)

type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxPayloadBytes {
		return 0, errTooLarge
	}
	return b.Buffer.Write(p)
}

// Render runs the template and checks that the result is JSON. A failed
// run or an invalid result is an error; the output is then never partial.
func (t *Template) Render(data *ticket.TemplateData) ([]byte, error) {
	var buf limitedBuffer
	if err := t.t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("payload template %s: %w", t.t.Name(), err)
	}
	out := buf.Bytes()
	if !json.Valid(out) {
		var v any
		err := json.Unmarshal(out, &v)
		var off int64
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if err == nil {
			err = errors.New("not valid JSON")
		}
		return nil, &InvalidJSONError{Template: t.t.Name(), Offset: off, Err: err}
	}
	return out, nil
}

// jsonValue renders a value where a whole JSON value stands.
func jsonValue(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "null", nil
	case ticket.JSONValue:
		return string(t), nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "null", nil
	}
	b, err := ticket.MarshalJSON(v)
	if err != nil {
		return "", fmt.Errorf("cannot render %T as JSON: %w", v, err)
	}
	return string(b), nil
}

// jsonStringContent renders a value inside a JSON string: its text,
// escaped, without the quotes the template already has.
func jsonStringContent(v any) (string, error) {
	b, err := ticket.MarshalJSON(text(v))
	if err != nil {
		return "", err
	}
	return string(b[1 : len(b)-1]), nil
}

// text is a value's text as a person would write it in a sentence.
func text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case ticket.JSONValue:
		return string(t)
	case []string:
		return strings.Join(t, ", ")
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case fmt.Stringer:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return ""
		}
		return t.String()
	case error:
		return t.Error()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return ""
		}
		return text(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// jsonLexer follows whether the output is inside a JSON string.
type jsonLexer struct{}

const (
	ctxValue  = iota // between values, where a whole value may stand
	ctxString        // inside a string literal
	ctxEscape        // right after a backslash in a string
	// ctxHex1…ctxHex4: inside \uXXXX, with 4…1 hex digits to go.
	ctxHex4
	ctxHex3
	ctxHex2
	ctxHex1
)

func (jsonLexer) Text(ctx int, text []byte) int {
	for _, b := range text {
		switch ctx {
		case ctxValue:
			if b == '"' {
				ctx = ctxString
			}
		case ctxString:
			switch b {
			case '\\':
				ctx = ctxEscape
			case '"':
				ctx = ctxValue
			}
		case ctxEscape:
			if b == 'u' {
				ctx = ctxHex4
			} else {
				ctx = ctxString
			}
		case ctxHex4, ctxHex3, ctxHex2:
			ctx++
		case ctxHex1:
			ctx = ctxString
		}
	}
	return ctx
}

func (jsonLexer) Escaper(ctx int) (string, error) {
	switch ctx {
	case ctxValue:
		return escValue, nil
	case ctxString:
		return escString, nil
	}
	return "", errors.New("a value cannot be inserted inside a JSON escape sequence (after a backslash)")
}

func (jsonLexer) Describe(ctx int) string {
	switch ctx {
	case ctxValue:
		return "outside a JSON string"
	case ctxString:
		return "inside a JSON string"
	}
	return "inside a JSON escape sequence"
}
