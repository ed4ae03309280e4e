package deploy_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/internal/e2etest"
)

const (
	// chartDir is relative to deploy/, where helm runs.
	chartDir = "helm/tfdrift"
	// kubeVersion is passed to helm so that the result does not depend on
	// the version compiled into the binary.
	kubeVersion = "1.30.0"
)

func runHelm(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	return e2etest.Helm(t, "deploy", args...)
}

var valueFiles = []struct {
	name string
	args []string
}{
	{"default", nil},
	{"production", []string{"-f", chartDir + "/ci/production-values.yaml"}},
}

func TestHelmLint(t *testing.T) {
	for _, v := range valueFiles {
		t.Run(v.name, func(t *testing.T) {
			args := append([]string{"lint", chartDir, "--strict", "--kube-version", kubeVersion}, v.args...)
			if _, err := runHelm(t, args...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// manifest is one rendered Kubernetes object.
type manifest map[string]any

func (m manifest) kind() string { s, _ := m["kind"].(string); return s }

// get walks a path of map keys and list indexes ("spec", "template", 0, …).
func (m manifest) get(path ...any) any {
	var v any = map[string]any(m)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			mm, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = mm[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func render(t *testing.T, extra ...string) map[string][]manifest {
	t.Helper()
	args := append([]string{"template", "tfdrift", chartDir, "--namespace", "tfdrift", "--kube-version", kubeVersion}, extra...)
	out, err := runHelm(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]manifest{}
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		// Into a plain map: yaml.v3 would give nested maps the named type.
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("helm template output is not YAML: %v", err)
		}
		if raw == nil {
			continue
		}
		m := manifest(raw)
		byKind[m.kind()] = append(byKind[m.kind()], m)
	}
	return byKind
}

func one(t *testing.T, objs map[string][]manifest, kind string) manifest {
	t.Helper()
	if len(objs[kind]) != 1 {
		t.Fatalf("rendered %d %s objects, want 1", len(objs[kind]), kind)
	}
	return objs[kind][0]
}

// TestHelmTemplate renders the chart with each values file and checks what
// production depends on: the pod cannot run as root or write its image, the
// probes hit the daemon's endpoints, a PDB covers the pods, and the config
// is one tfdrift accepts.
func TestHelmTemplate(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		replicas       int
		strategy       string
		database       string
		wantKinds      []string
		secretName     string
		pdb            map[string]any
		dataVolumeKind string
	}{
		{
			name: "default", replicas: 1, strategy: "Recreate",
			database:       "--database=sqlite:///var/lib/tfdrift/tfdrift.db",
			wantKinds:      []string{"ConfigMap", "Deployment", "PersistentVolumeClaim", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"},
			secretName:     "tfdrift",
			pdb:            map[string]any{"maxUnavailable": 1},
			dataVolumeKind: "persistentVolumeClaim",
		},
		{
			name: "production", args: valueFiles[1].args, replicas: 3, strategy: "RollingUpdate",
			database:       "--database=$(TFDRIFT_DATABASE)",
			wantKinds:      []string{"ConfigMap", "Deployment", "Ingress", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount", "ServiceMonitor"},
			secretName:     "tfdrift-secrets",
			pdb:            map[string]any{"minAvailable": 2},
			dataVolumeKind: "emptyDir",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := render(t, tt.args...)
			var kinds []string
			for k := range objs {
				kinds = append(kinds, k)
			}
			slices.Sort(kinds)
			if diff := cmp.Diff(tt.wantKinds, kinds); diff != "" {
				t.Errorf("rendered kinds (-want +got):\n%s", diff)
			}

			dep := one(t, objs, "Deployment")
			if got := dep.get("spec", "replicas"); got != tt.replicas {
				t.Errorf("replicas = %v, want %d", got, tt.replicas)
			}
			if got := dep.get("spec", "strategy", "type"); got != tt.strategy {
				t.Errorf("strategy = %v, want %s", got, tt.strategy)
			}
			pod := manifest(dep.get("spec", "template", "spec").(map[string]any))
			checkPodSecurity(t, pod)

			c := manifest(pod.get("containers", 0).(map[string]any))
			args := toStrings(c.get("args"))
			for _, want := range []string{"serve", "--config=/etc/tfdrift/config.yaml", "--listen=:8080", "--metrics-listen=:9090", tt.database} {
				if !slices.Contains(args, want) {
					t.Errorf("args %q lack %q", args, want)
				}
			}
			// /readyz lives on the metrics listener (--metrics-listen);
			// /healthz is on both, and probes the main one.
			for probe, want := range map[string][2]string{"livenessProbe": {"/healthz", "http"}, "readinessProbe": {"/readyz", "metrics"}, "startupProbe": {"/healthz", "http"}} {
				if got := c.get(probe, "httpGet", "path"); got != want[0] {
					t.Errorf("%s path = %v, want %s", probe, got, want[0])
				}
				if got := c.get(probe, "httpGet", "port"); got != want[1] {
					t.Errorf("%s port = %v, want the named port %s", probe, got, want[1])
				}
			}
			if got := c.get("ports", 0, "containerPort"); got != 8080 {
				t.Errorf("containerPort = %v, want 8080", got)
			}
			if c.get("ports", 1, "name") != "metrics" || c.get("ports", 1, "containerPort") != 9090 {
				t.Errorf("second port = %v/%v, want metrics/9090", c.get("ports", 1, "name"), c.get("ports", 1, "containerPort"))
			}
			ann := manifest(dep.get("spec", "template", "metadata", "annotations").(map[string]any))
			if ann.get("prometheus.io/scrape") != "true" || ann.get("prometheus.io/port") != "9090" || ann.get("prometheus.io/path") != "/metrics" {
				t.Errorf("pod annotations %v, want prometheus.io/* pointing at the metrics port", ann)
			}
			if got := c.get("envFrom", 0, "secretRef", "name"); got != tt.secretName {
				t.Errorf("envFrom secret = %v, want %s", got, tt.secretName)
			}
			if c.get("resources", "requests") == nil || c.get("resources", "limits", "memory") == nil {
				t.Errorf("resources = %v, want requests and a memory limit", c.get("resources"))
			}

			// A read-only root needs writable mounts for /tmp and the state.
			mounts := map[string]string{}
			for i := range len(toSlice(c.get("volumeMounts"))) {
				mounts[fmt.Sprint(c.get("volumeMounts", i, "mountPath"))] = fmt.Sprint(c.get("volumeMounts", i, "name"))
			}
			volumes := map[string]manifest{}
			for i := range len(toSlice(pod.get("volumes"))) {
				v := manifest(pod.get("volumes", i).(map[string]any))
				volumes[fmt.Sprint(v.get("name"))] = v
			}
			if v := volumes[mounts["/tmp"]]; v == nil || v.get("emptyDir") == nil {
				t.Errorf("/tmp is not an emptyDir: mounts %v", mounts)
			}
			if v := volumes[mounts["/var/lib/tfdrift"]]; v == nil || v.get(tt.dataVolumeKind) == nil {
				t.Errorf("/var/lib/tfdrift is not a %s: %v", tt.dataVolumeKind, v)
			}
			if mounts["/etc/tfdrift/config.yaml"] == "" {
				t.Errorf("config.yaml is not mounted: %v", mounts)
			}

			pdb := one(t, objs, "PodDisruptionBudget")
			if diff := cmp.Diff(dep.get("spec", "selector", "matchLabels"), pdb.get("spec", "selector", "matchLabels")); diff != "" {
				t.Errorf("PDB selector differs from the Deployment's (-deployment +pdb):\n%s", diff)
			}
			for k, want := range tt.pdb {
				if got := pdb.get("spec", k); got != want {
					t.Errorf("PDB %s = %v, want %v", k, got, want)
				}
			}
			svc := one(t, objs, "Service")
			if svc.get("spec", "ports", 0, "targetPort") != "http" {
				t.Errorf("Service targetPort = %v, want http", svc.get("spec", "ports", 0, "targetPort"))
			}
			if svc.get("spec", "ports", 1, "name") != "metrics" || svc.get("spec", "ports", 1, "targetPort") != "metrics" {
				t.Errorf("Service second port = %v, want metrics → metrics", svc.get("spec", "ports", 1))
			}
			if sm := objs["ServiceMonitor"]; len(sm) == 1 && (sm[0].get("spec", "endpoints", 0, "path") != "/metrics" || sm[0].get("spec", "endpoints", 0, "port") != "metrics") {
				t.Errorf("ServiceMonitor endpoint = %v, want /metrics on port metrics", sm[0].get("spec", "endpoints", 0))
			}
			if np := objs["NetworkPolicy"]; len(np) == 1 && len(toSlice(np[0].get("spec", "ingress", 0, "from"))) == 0 {
				t.Errorf("NetworkPolicy admits everyone: %v", np[0].get("spec"))
			}
			if ing := objs["Ingress"]; len(ing) == 1 {
				if p := ing[0].get("spec", "rules", 0, "http", "paths", 0, "path"); p != "/webhooks/github" {
					t.Errorf("Ingress exposes %v, want only /webhooks/github", p)
				}
			}
			if s := objs["Secret"]; len(s) == 1 && s[0].get("data", "TFDRIFT_FALCO_SECRET") == nil {
				t.Errorf("the chart's Secret lacks TFDRIFT_FALCO_SECRET")
			}
			checkConfig(t, one(t, objs, "ConfigMap"))
		})
	}
}

// checkPodSecurity asserts the pod and container security contexts that
// keep tfdrift unprivileged.
func checkPodSecurity(t *testing.T, pod manifest) {
	t.Helper()
	sc := []any{"containers", 0, "securityContext"}
	in := func(p ...any) []any { return append(append([]any(nil), sc...), p...) }
	tests := []struct {
		path []any
		want any
	}{
		{[]any{"securityContext", "runAsNonRoot"}, true},
		{[]any{"securityContext", "runAsUser"}, 65532},
		{[]any{"securityContext", "fsGroup"}, 65532},
		{[]any{"securityContext", "seccompProfile", "type"}, "RuntimeDefault"},
		{[]any{"automountServiceAccountToken"}, false},
		{[]any{"hostNetwork"}, nil},
		{[]any{"hostPID"}, nil},
		{[]any{"hostIPC"}, nil},
		{in("runAsNonRoot"), true},
		{in("runAsUser"), 65532},
		{in("runAsGroup"), 65532},
		{in("readOnlyRootFilesystem"), true},
		{in("allowPrivilegeEscalation"), false},
		{in("privileged"), false},
		{in("capabilities", "drop", 0), "ALL"},
		{in("capabilities", "add"), nil},
		{in("seccompProfile", "type"), "RuntimeDefault"},
	}
	for _, tt := range tests {
		if got := pod.get(tt.path...); got != tt.want {
			t.Errorf("pod spec %v = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// checkConfig parses the rendered config.yaml with tfdrift's own strict
// loader, so the chart cannot ship a config the daemon rejects.
func checkConfig(t *testing.T, cm manifest) {
	t.Helper()
	data, _ := cm.get("data", "config.yaml").(string)
	if data == "" {
		t.Fatalf("ConfigMap has no config.yaml: %v", cm)
	}
	env := func(name string) (string, bool) {
		if strings.Contains(name, "WEBHOOK") {
			return "https://hooks.example.com/services/T0/B0/x", true
		}
		return "value-of-" + name, true
	}
	if _, err := config.Parse("config.yaml", []byte(data), config.WithEnv(env)); err != nil {
		t.Errorf("rendered config.yaml is rejected by tfdrift:\n%v\n%s", err, data)
	}
}

func toSlice(v any) []any { s, _ := v.([]any); return s }

func toStrings(v any) []string {
	var out []string
	for _, x := range toSlice(v) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// TestHelmRefusesUnsafeValues: values that would run as root, run SQLite
// from two replicas or leave Postgres without a DSN stop at render time.
func TestHelmRefusesUnsafeValues(t *testing.T) {
	tests := []struct {
		name string
		set  []string
		want string
	}{
		{"two replicas on SQLite", []string{"replicaCount=2"}, "needs postgres.enabled"},
		{"postgres without a DSN", []string{"postgres.enabled=true"}, "needs postgres.dsn"},
		{"root container", []string{"securityContext.runAsNonRoot=false"}, "runAsNonRoot"},
		{"privilege escalation", []string{"securityContext.allowPrivilegeEscalation=true"}, "allowPrivilegeEscalation"},
		{"misspelt key", []string{"replicas=3"}, "additional properties 'replicas' not allowed"},
		{"both PDB bounds", []string{"podDisruptionBudget.minAvailable=1"}, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"template", "tfdrift", chartDir, "--kube-version", kubeVersion}
			for _, s := range tt.set {
				args = append(args, "--set", s)
			}
			_, err := runHelm(t, args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
