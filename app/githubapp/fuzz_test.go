package githubapp

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzTaskOf: any payload of any event is reduced without a panic, and
// what is accepted is a task that journals.
func FuzzTaskOf(f *testing.F) {
	f.Add("issue_comment", []byte(`{"action":"created","installation":{"id":7},"repository":{"name":"infra","owner":{"login":"acme"}},`+
		`"issue":{"number":1,"body":"<!-- tfdrift:resource=x -->","user":{"login":"tfdrift[bot]","type":"Bot"}},`+
		`"comment":{"id":9,"body":"/tfdrift accept","user":{"login":"alice","type":"User"}}}`))
	f.Add("push", []byte(`{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567","installation":{"id":7},`+
		`"repository":{"name":"infra","owner":{"login":"acme"},"default_branch":"main"}}`))
	f.Add("issues", []byte(`{"action":"closed","issue":null}`))
	f.Add("pull_request", []byte(`{"action":"closed","pull_request":{"user":null}}`))
	f.Add("installation", []byte(`[]`))
	app := newBareApp(f)
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		tk, ok, err := app.taskOf(event, "d", body)
		if err != nil && ok {
			t.Fatal("accepted with an error")
		}
		if !ok {
			return
		}
		b, err := json.Marshal(tk)
		if err != nil {
			t.Fatal(err)
		}
		var back task
		if err := json.Unmarshal(b, &back); err != nil || back.Event != event {
			t.Fatalf("the task does not journal: %v", err)
		}
		if event == "issue_comment" && !hasCommand(tk.Comment.Body) {
			t.Fatal("a comment without a command was accepted")
		}
	})
}

// FuzzCommands: any comment is split and parsed without a panic; a line
// taken is a command line, and a command that parses has a known verb.
func FuzzCommands(f *testing.F) {
	for _, s := range []string{"/tfdrift accept --dry-run a.b", "x\n/tfdrift revert --allow-destroy 'a b'\n", "```\n/tfdrift help\n```",
		"/tfdrift", "/tfdriftaccept", "    /tfdrift accept", "/tfdrift accept \"unterminated", "/tfdrift ignore -- --not-a-flag"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, line := range commandLines(body) {
			if !strings.HasPrefix(line, commandPrefix) {
				t.Fatalf("line %q taken for a command", line)
			}
			p := parseCommand(line)
			if p.err == nil {
				if _, ok := lookupVerb(string(p.cmd.Verb)); !ok {
					t.Fatalf("verb %q parsed", p.cmd.Verb)
				}
			}
		}
	})
}
