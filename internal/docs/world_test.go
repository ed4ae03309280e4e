package docs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/ingest/sqs/sqsfake"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/replay"
	"github.com/tfdrift/tfdrift/app/serve"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// world is what the configurations under test talk to: the demo's
// scenario (state, code, a morning of events) and a fake of every outside
// service a key can point at. Every fake checks what it receives.
type world struct {
	// t is the running subtest; root the test that owns the fakes and
	// the terraform world, which outlive every row.
	t    *testing.T
	root *testing.T
	sc   *scenario.Scenario
	dir  string
	sink *sinkhole
	smtp *smtpFake
	sts  *stsFake
	vars *strings.Replacer
	// github is the fake GitHub of the github: rows.
	github *githubWorld
	// patience bounds the waits of an observation that may never see
	// what it waits for: the row's second run waits about three times as
	// long as its first took, not the full deadline. Zero: no bound.
	patience time.Duration
}

// wait is d, or less when the world is impatient.
func (w *world) wait(d time.Duration) time.Duration {
	if w.patience > 0 && w.patience < d {
		return w.patience
	}
	return d
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, root: t, sc: sc, dir: t.TempDir(), sink: newSinkhole(t), smtp: newSMTPFake(t), sts: newSTSFake(t)}
	// The AWS SDK reads the process environment; nothing here may reach
	// a real account or the network.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret-test", "AWS_REGION": "",
		"AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(w.dir, "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(w.dir, "no-aws-credentials"),
		"AWS_ENDPOINT_URL_STS": w.sts.URL, "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required", "GOOGLE_APPLICATION_CREDENTIALS": googleCredentials(t, w.dir),
	} {
		t.Setenv(k, v)
	}
	cert, key, ca := clientPKI(t, w.dir)
	w.github = newGitHubWorld(t, sc, w.dir)
	w.vars = strings.NewReplacer(append([]string{
		"${STATE}", sc.State, "${REPO}", sc.Repo, "${DIR}", w.dir, "${SINK}", w.sink.URL,
		"${SMTP_PORT}", fmt.Sprint(w.smtp.Port), "${CERT}", cert, "${KEY}", key, "${CA}", ca,
		"${MISSING}", filepath.Join(w.dir, "missing"),
	}, w.github.placeholders()...)...)
	return w
}

// config writes a configuration file, ${…} placeholders filled in.
func (w *world) config(name, yaml string, more ...string) string {
	w.t.Helper()
	yaml = w.vars.Replace(yaml)
	for i := 0; i+1 < len(more); i += 2 {
		yaml = strings.ReplaceAll(yaml, more[i], more[i+1])
	}
	path := filepath.Join(w.dir, name+".yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// run runs a job with buffers and returns stdout and stderr, the error's
// message and exit status at the end of stderr.
func run(fn func(env job.Env) error) (string, string) {
	var out, errb syncBuffer
	env := job.Env{Stdout: &out, Stderr: &errb, LookupEnv: os.LookupEnv}
	code, msg := job.Status(fn(env))
	if code != 0 || msg != "" {
		fmt.Fprintf(&errb, "exit %d: %s\n", code, msg)
	}
	return out.String(), errb.String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// summarize turns NDJSON drifts into one line each: what, how bad, which
// rules, which state.
func summarize(ndjson string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(ndjson), "\n") {
		var d struct {
			Address   string   `json:"resource_address"`
			Type      string   `json:"resource_type"`
			ID        string   `json:"resource_id"`
			Severity  string   `json:"severity"`
			Rules     []string `json:"rules"`
			Tags      []string `json:"tags"`
			Terraform struct {
				State     string `json:"state"`
				Workspace string `json:"workspace"`
			} `json:"terraform"`
		}
		if json.Unmarshal([]byte(l), &d) != nil {
			continue
		}
		what := d.Address
		if what == "" {
			what = d.Type + " " + d.ID
		}
		lines = append(lines, fmt.Sprintf("%s sev=%s rules=%s tags=%s state=%s ws=%s", what, d.Severity,
			strings.Join(d.Rules, ","), strings.Join(d.Tags, ","), d.Terraform.State, d.Terraform.Workspace))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// An observer runs tfdrift with a configuration file and says what it saw.
type observer func(w *world, cfg string) string

// detect replays the scenario's events with the config, the scenario's
// state and code: the drifts found.
func detect(w *world, cfg string) string {
	out, errs := run(func(env job.Env) error {
		return replay.Run(context.Background(), env, replay.Args{ConfigFile: cfg, States: []string{w.sc.State},
			Repo: w.sc.Repo, Format: "json", Inputs: w.sc.Events})
	})
	return summarize(out) + "\n" + errs
}

// detectFromConfig is detect with the state sources of the config only.
func detectFromConfig(w *world, cfg string) string {
	out, errs := run(func(env job.Env) error {
		return replay.Run(context.Background(), env, replay.Args{ConfigFile: cfg, Repo: w.sc.Repo, Format: "json", Inputs: w.sc.Events})
	})
	return summarize(out) + "\n" + errs
}

// printed is what replay prints with no --format: the config decides.
func printed(w *world, cfg string) string {
	out, errs := run(func(env job.Env) error {
		return replay.Run(context.Background(), env, replay.Args{ConfigFile: cfg, States: []string{w.sc.State}, Inputs: w.sc.Events})
	})
	return out + errs
}

// notify replays with --notify: what every fake received, the per-notice
// report, and the audit file.
func notify(w *world, cfg string) string {
	w.sink.take()
	w.smtp.take()
	audit := filepath.Join(w.dir, "audit.ndjson")
	os.Remove(audit)
	_, errs := run(func(env job.Env) error {
		return replay.Run(context.Background(), env, replay.Args{ConfigFile: cfg, States: []string{w.sc.State},
			Repo: w.sc.Repo, Notify: true, Inputs: w.sc.Events})
	})
	file, _ := os.ReadFile(audit)
	return "http:\n" + w.sink.take() + "\nsmtp:\n" + w.smtp.take() + "\nreport:\n" + errs + "\naudit:\n" + string(file)
}

// drifts are the scenario's drifts under cfg, and its notices.
func drifts(w *world, cfg string) ([]*drift.Drift, *wiring.Notices, string) {
	c, err := wiring.LoadConfig(cfg, os.LookupEnv, io.Discard, false)
	if err != nil {
		return nil, nil, err.Error()
	}
	det, err := wiring.NewDetector(context.Background(), wiring.DetectorOptions{Config: c, StateFiles: []string{w.sc.State}, RepoDir: w.sc.Repo})
	if err != nil {
		return nil, nil, err.Error()
	}
	col := &collect{}
	if _, err := wiring.Replay(context.Background(), wiring.ReplayOptions{Inputs: w.sc.Events, Engine: det.Engine, Output: col}); err != nil {
		return nil, nil, err.Error()
	}
	n, err := wiring.BuildNotices(c)
	if err != nil {
		return nil, nil, err.Error()
	}
	w.t.Cleanup(func() { n.Close() })
	return col.drifts, n, ""
}

type collect struct{ drifts []*drift.Drift }

func (c *collect) Write(d *drift.Drift) error { c.drifts = append(c.drifts, d); return nil }
func (c *collect) Flush() error               { return nil }

func title(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		return d.ResourceAddress
	}
	return d.ResourceType + " " + d.ResourceID
}

// route says which sinks (and targets, tickets, priorities, URLs) hear
// about each drift.
func route(w *world, cfg string) string {
	ds, n, failed := drifts(w, cfg)
	if failed != "" {
		return failed
	}
	var lines []string
	for _, d := range ds {
		for _, t := range n.For(d) {
			l := title(d) + " → " + t.Sink
			if t.Target != "" {
				l += " target=" + t.Target
			}
			if t.Ticket != nil {
				l += fmt.Sprintf(" ticket=%s/%s/%s/%s", t.Ticket.System, t.Ticket.Project, t.Ticket.IssueType, t.Ticket.Summary)
			}
			if t.Priority != "" {
				l += " priority=" + t.Priority
			}
			if t.URL != "" {
				l += " url=" + t.URL
			}
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// storm feeds twelve drifts by one actor through the notices into a real
// store, as serve does (storm control decides inside RecordDrift's
// transaction), and counts what each sink gets at once and what the
// flusher releases once the store's clock is two seconds later.
func storm(w *world, cfg string) string {
	ds, n, failed := drifts(w, cfg)
	if failed != "" {
		return failed
	}
	var base *drift.Drift
	for _, d := range ds {
		if d.ResourceType == "aws_ebs_volume" {
			base = d
		}
	}
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(w.t.TempDir(), "storm.db"), store.WithClock(clock))
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	for i := range 12 {
		d := *base
		d.ResourceID = fmt.Sprintf("vol-%02d", i)
		d.ResourceAddress = fmt.Sprintf("aws_ebs_volume.v%02d", i)
		d.Fingerprint = fmt.Sprintf("fp-%02d", i)
		if _, _, err := st.RecordDrift(ctx, &d, n.Outbox(&d)); err != nil {
			w.t.Fatal(err)
		}
	}
	count := func() map[string]int {
		ns, err := st.ListNotices(ctx, store.NoticeFilter{Limit: 1000})
		if err != nil {
			w.t.Fatal(err)
		}
		out := map[string]int{}
		for _, x := range ns {
			out[x.Sink]++
		}
		return out
	}
	atOnce := count()
	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	later, err := n.FlushStorms(ctx, st, "docs-test")
	if err != nil {
		w.t.Fatal(err)
	}
	var parts []string
	for s, c := range atOnce {
		parts = append(parts, fmt.Sprintf("%s: %d at once", s, c))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ") + fmt.Sprintf("; groups released after 2s: %d", later)
}

// validate is what loading the config says: its errors and warnings.
func validate(w *world, cfg string) string {
	c, err := config.Load(cfg, config.WithEnv(os.LookupEnv))
	if err != nil {
		return err.Error()
	}
	var ws []string
	for _, p := range c.Warnings {
		ws = append(ws, p.String())
	}
	return "valid\n" + strings.Join(ws, "\n")
}

// resolveInJira announces the resolution of the scenario's drifts to the
// config's Jira, with an open issue for each: which transition it takes.
func resolveInJira(w *world, cfg string) string {
	ds, n, failed := drifts(w, cfg)
	if failed != "" {
		return failed
	}
	w.sink.mu.Lock()
	w.sink.jiraIssue = "OPS-7"
	w.sink.mu.Unlock()
	defer func() { w.sink.mu.Lock(); w.sink.jiraIssue = ""; w.sink.mu.Unlock() }()
	w.sink.take()
	sinks := map[string]ticket.Sink{}
	for _, s := range n.Sinks {
		sinks[s.Name()] = s
	}
	var errs []string
	for _, d := range ds {
		for _, o := range n.Resolved(d, "resolved by the docs world") {
			t, err := ticket.DecodeNotice(o.Payload)
			if err == nil {
				_, err = sinks[o.Sink].Send(context.Background(), t)
			}
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	return w.sink.take() + "\n" + strings.Join(errs, "\n")
}

// serving starts serve with the config (and the scenario's state), lets
// probe look at it, then stops it. listen is --listen; "" leaves the
// address to the config.
func serving(w *world, cfg, listen string, probe func(addr string) string) string {
	started := make(chan string, 1)
	done := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	go func() {
		err := serve.Run(ctx, job.Env{Stdout: &out, Stderr: &errb, LookupEnv: os.LookupEnv}, serve.Args{
			ConfigFile: cfg, States: []string{w.sc.State}, Repo: w.sc.Repo, Listen: listen, Format: "json",
			QueueSize: 64, Started: func(a string) { started <- a },
		})
		_, msg := job.Status(err)
		done <- msg
	}()
	select {
	case addr := <-started:
		seen := probe(addr)
		cancel()
		<-done
		return seen + "\nstdout:\n" + summarize(out.String())
	case msg := <-done:
		return "did not start: " + msg
	case <-time.After(20 * time.Second):
		w.t.Fatal("serve did not start in 20s")
		return ""
	}
}

// falcoAuth posts a Falco alert to a serve run with the config's /falco
// settings: where it listens, and what it answers with no credentials and
// with a bearer token.
func falcoAuth(listen string) observer {
	return func(w *world, cfg string) string {
		alert, err := os.ReadFile(filepath.Join(w.sc.Dir, "events", "falco-alerts.ndjson"))
		if err != nil {
			w.t.Fatal(err)
		}
		return serving(w, cfg, listen, func(addr string) string {
			post := func(hdr string) int {
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/falco", bytes.NewReader(alert))
				if hdr != "" {
					req.Header.Set("Authorization", hdr)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return -1
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			host, _, _ := strings.Cut(addr, ":")
			return fmt.Sprintf("bound=%s no-credentials=%d bearer=%d", host, post(""), post("Bearer tok-0123456789abcdef0123"))
		})
	}
}

// readiness is serve's /readyz once its live inputs have tried to
// connect: each input's state and last error.
func readiness(w *world, cfg string) string {
	return serving(w, cfg, "127.0.0.1:0", func(addr string) string {
		var body string
		deadline := time.Now().Add(w.wait(15 * time.Second))
		for time.Now().Before(deadline) {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
				if !strings.Contains(body, "input ") || strings.Contains(body, "(") {
					break // no input, or one that has reported an error
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		return body
	})
}

// refreshed edits the state file after serve has loaded it and says
// which serial /readyz reports four seconds later.
func refreshed(w *world, cfg string) string {
	data, err := os.ReadFile(w.sc.State)
	if err != nil {
		w.t.Fatal(err)
	}
	state := filepath.Join(w.dir, "refreshed.tfstate")
	if err := os.WriteFile(state, data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	cfg = w.config("refresh-"+filepath.Base(cfg), mustRead(w.t, cfg), "${REFRESHED}", state)
	return serving(w, cfg, "127.0.0.1:0", func(addr string) string {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		doc["serial"] = 4242.0
		edited, _ := json.Marshal(doc)
		if err := os.WriteFile(state, edited, 0o644); err != nil {
			w.t.Fatal(err)
		}
		// A new mtime whatever the file system's resolution, set rather
		// than slept for.
		later := time.Now().Add(2 * time.Second)
		if err := os.Chtimes(state, later, later); err != nil {
			w.t.Fatal(err)
		}
		deadline := time.Now().Add(w.wait(8 * time.Second))
		for {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if strings.Contains(string(b), "serial 4242") || time.Now().After(deadline) {
					return strings.TrimSpace(string(b))
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// s3World serves the scenario's state from gofakes3: at terraform.tfstate
// and, for workspace staging, under the key prefix wsp (not the default
// env:).
func s3World(w *world) (full, empty string) {
	mk := func(put bool) string {
		srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
		w.t.Cleanup(srv.Close)
		c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret-test", "")})
		ctx := context.Background()
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tf-state")}); err != nil {
			w.t.Fatal(err)
		}
		if put {
			data := []byte(mustRead(w.t, w.sc.State))
			for _, key := range []string{"terraform.tfstate", "wsp/staging/terraform.tfstate"} {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tf-state"), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
					w.t.Fatal(err)
				}
			}
		}
		return srv.URL
	}
	return mk(true), mk(false)
}

// gcsWorld serves the scenario's state from fake-gcs-server under
// gcp/default.tfstate.
func gcsWorld(w *world) (full, empty string) {
	mk := func(put bool) string {
		var objs []fakestorage.Object
		if put {
			objs = append(objs, fakestorage.Object{ObjectAttrs: fakestorage.ObjectAttrs{BucketName: "tf-state", Name: "gcp/default.tfstate"},
				Content: []byte(mustRead(w.t, w.sc.State))})
		}
		srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{InitialObjects: objs, NoListener: true, Writer: io.Discard})
		if err != nil {
			w.t.Fatal(err)
		}
		srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "tf-state"})
		h := httptest.NewServer(srv.HTTPHandler())
		w.t.Cleanup(h.Close)
		return h.URL + "/storage/v1/"
	}
	return mk(true), mk(false)
}

// sqsWorld is an SQS fake in region with the queues the rows name: events
// (the demo's security group edit as EventBridge delivers it, or a poison
// message), other (empty) and dlq.
type sqsWorld struct {
	fake     *sqsfake.Server
	endpoint string
	queue    string
	other    string
	dlq      string
}

func newSQSWorld(w *world, region string, poison bool) *sqsWorld {
	fake := sqsfake.New(sqsfake.Options{Region: region, AccountID: "123456789012", AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test"})
	srv := httptest.NewServer(fake)
	w.t.Cleanup(srv.Close)
	c := awssqs.New(awssqs.Options{Region: region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret-test", "")})
	ctx := context.Background()
	s := &sqsWorld{fake: fake, endpoint: srv.URL}
	for _, name := range []string{"events", "other", "dlq"} {
		q, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			w.t.Fatal(err)
		}
		switch name {
		case "events":
			s.queue = *q.QueueUrl
		case "other":
			s.other = *q.QueueUrl
		default:
			s.dlq = *q.QueueUrl
		}
	}
	body := "this is not an event"
	if !poison {
		var trail struct{ Records []json.RawMessage }
		if err := json.Unmarshal([]byte(mustRead(w.t, filepath.Join(w.sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json"))), &trail); err != nil {
			w.t.Fatal(err)
		}
		env, _ := json.Marshal(map[string]any{"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "AWS API Call via CloudTrail",
			"source": "aws.ec2", "account": "123456789012", "time": "2025-01-20T14:32:15Z", "region": "us-east-1", "resources": []any{}, "detail": trail.Records[1]})
		body = string(env)
	}
	if _, err := c.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(s.queue), MessageBody: aws.String(body)}); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// fromQueue serves with the config's SQS input for a while: the drifts
// printed, the calls the fake received and what is left in each queue.
// until says when the observation is complete; it is also cut at wait.
func fromQueue(region string, poison bool, wait time.Duration, until func(*sqsWorld, string) bool) observer {
	return func(w *world, cfg string) string {
		s := newSQSWorld(w, region, poison)
		cfg = w.config("sqs-"+filepath.Base(cfg), mustRead(w.t, cfg),
			"${SQS_ENDPOINT}", s.endpoint, "${SQS_QUEUE}", s.queue, "${SQS_OTHER}", s.other, "${SQS_DLQ}", s.dlq)
		w.sts.take()
		return serving(w, cfg, "127.0.0.1:0", func(string) string {
			deadline := time.Now().Add(w.wait(wait))
			seen := ""
			for time.Now().Before(deadline) {
				seen = fmt.Sprintf("events=%d dlq=%d receives=%d refused=%v", len(s.fake.Messages("events")), len(s.fake.Messages("dlq")),
					s.fake.Calls()["ReceiveMessage"], s.fake.Refused())
				if until != nil && until(s, seen) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			return seen + "\n" + w.sts.take()
		})
	}
}
