package deploy

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// dockerInstruction is one instruction of a Dockerfile, continuation lines
// joined.
type dockerInstruction struct {
	line int
	cmd  string // upper case
	args string
}

func parseDockerfile(t *testing.T, path string) []dockerInstruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDockerfile checks what the image promises, since no Docker engine
// runs here to build it: a static, trimmed build, a distroless final stage
// run as nonroot, and nothing fetched from the network by ADD.
func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t, "Dockerfile")
	var stages [][]dockerInstruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
		if in.cmd == "ADD" {
			t.Errorf("line %d: ADD %s: use COPY; ADD can fetch remote URLs and unpack archives", in.line, in.args)
		}
		if strings.Contains(in.args, "curl ") || strings.Contains(in.args, "wget ") {
			t.Errorf("line %d: downloads during the build: %s", in.line, in.args)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stages", len(stages))
	}
	build := strings.Join(instructionArgs(stages[0], "RUN"), "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "go build", "./cmd/tfdrift"} {
		if !strings.Contains(build, want) {
			t.Errorf("the build stage lacks %q", want)
		}
	}
	final := stages[len(stages)-1]
	if got := final[0].args; got != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %q, want gcr.io/distroless/static-debian12:nonroot", got)
	}
	if users := instructionArgs(final, "USER"); len(users) == 0 || !regexp.MustCompile(`^(nonroot|65532)(:(nonroot|65532))?$`).MatchString(users[len(users)-1]) {
		t.Errorf("final stage USER = %q, want nonroot (65532)", users)
	}
	for _, in := range final {
		if in.cmd == "RUN" {
			t.Errorf("line %d: RUN in the final stage (distroless has no shell)", in.line)
		}
	}
	if ep := instructionArgs(final, "ENTRYPOINT"); len(ep) != 1 || !strings.HasPrefix(ep[0], "[") {
		t.Errorf("ENTRYPOINT = %q, want one in exec form", ep)
	}
	// /metrics and /readyz on a listener of their own: on :8080 they
	// would need /falco's secret.
	if cmd := strings.Join(instructionArgs(final, "CMD"), " "); !strings.Contains(cmd, `"--metrics-listen", ":9090"`) {
		t.Errorf("CMD %s does not serve metrics on --metrics-listen :9090", cmd)
	}
	if expose := strings.Join(instructionArgs(final, "EXPOSE"), " "); !strings.Contains(expose, "9090") {
		t.Errorf("EXPOSE %q lacks the metrics port 9090", expose)
	}
}

func instructionArgs(ins []dockerInstruction, cmd string) []string {
	var out []string
	for _, in := range ins {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// TestSystemdUnit checks that the unit drops every privilege it can.
func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile("systemd/tfdrift.service")
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string][]string{} // "Section.Key" → values in order
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("line %q is not key=value", line)
			continue
		}
		settings[section+"."+k] = append(settings[section+"."+k], v)
	}
	want := map[string]string{
		"Service.DynamicUser":           "yes",
		"Service.NoNewPrivileges":       "yes",
		"Service.CapabilityBoundingSet": "",
		"Service.AmbientCapabilities":   "",
		"Service.ProtectSystem":         "strict",
		"Service.ProtectHome":           "yes",
		"Service.PrivateTmp":            "yes",
		"Service.PrivateDevices":        "yes",
		"Service.StateDirectory":        "tfdrift",
		"Service.Restart":               "on-failure",
		"Service.EnvironmentFile":       "/etc/tfdrift/tfdrift.env",
		"Service.ExecReload":            "/bin/kill -HUP $MAINPID",
		"Install.WantedBy":              "multi-user.target",
	}
	for k, w := range want {
		v := settings[k]
		if len(v) == 0 || v[len(v)-1] != w {
			t.Errorf("%s = %q, want %q", k, v, w)
		}
	}
	for _, k := range []string{"Service.User", "Service.Group", "Service.AmbientCapabilities"} {
		for _, v := range settings[k] {
			if v == "root" || v == "0" || strings.Contains(v, "CAP_") {
				t.Errorf("%s = %q grants privileges", k, v)
			}
		}
	}
	exec := strings.Join(settings["Service.ExecStart"], " ")
	for _, w := range []string{"/usr/local/bin/tfdrift serve", "--config /etc/tfdrift/config.yaml", "--database sqlite:///var/lib/tfdrift/", "--metrics-listen 127.0.0.1:"} {
		if !strings.Contains(exec, w) {
			t.Errorf("ExecStart %q lacks %q", exec, w)
		}
	}
	if strings.HasPrefix(exec, "+") || strings.HasPrefix(exec, "!") {
		t.Errorf("ExecStart %q runs with full privileges", exec)
	}
}
