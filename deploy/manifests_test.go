// Package deploy_test checks the Kubernetes manifests in deploy/ without a
// cluster: each decodes strictly (an unknown or misspelt field is an error)
// into the Kubernetes API's own Go types, and every rescli command line in
// them parses with rescli's own flags after Kubernetes expands $(VAR).
package deploy_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/rescli/rescli/internal/cli"
)

// decodeStrict reads a one-document manifest into v, refusing unknown and
// duplicate fields, as kubectl apply --validate=strict does.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The Job's start is filled in when it is created (envsubst).
	b = []byte(strings.ReplaceAll(string(b), "${START_AT}", "2030-01-02T15:04:05Z"))
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expand does what the kubelet does to a container's args: $(VAR) becomes
// the value of an env entry; one from a field or a Secret gets a sample.
func expand(t *testing.T, c corev1.Container, samples map[string]string) []string {
	t.Helper()
	values := map[string]string{}
	for _, e := range c.Env {
		values[e.Name] = e.Value
		if e.ValueFrom != nil {
			values[e.Name] = samples[e.Name]
		}
	}
	var out []string
	for _, a := range c.Args {
		out = append(out, varRef.ReplaceAllStringFunc(a, func(ref string) string {
			name := varRef.FindStringSubmatch(ref)[1]
			v, ok := values[name]
			if !ok {
				t.Errorf("container %s: $(%s) is not in its env, so Kubernetes leaves it as it is", c.Name, name)
			}
			return v
		}))
	}
	return out
}

// parses checks that args are a rescli command and flags it accepts.
func parses(t *testing.T, args []string) *cli.Global {
	t.Helper()
	g := &cli.Global{IO: cli.IOStreams{In: strings.NewReader(""), Out: new(strings.Builder), ErrOut: new(strings.Builder)}, Getenv: func(string) string { return "" }}
	cmd, rest, err := cli.NewRootCmd(g).Find(args)
	if err != nil {
		t.Fatalf("rescli %s: %v", strings.Join(args, " "), err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("rescli %s: %v", strings.Join(args, " "), err)
	}
	return g
}

func env(c corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// The herd Job runs N indexed pods at once, each replica its own index of
// the same N, from one start, against a target from a Secret.
func TestHerdJob(t *testing.T) {
	var job batchv1.Job
	decodeStrict(t, "herd-job.yaml", &job)
	if job.Kind != "Job" || job.APIVersion != "batch/v1" {
		t.Fatalf("kind %s/%s", job.APIVersion, job.Kind)
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("not an Indexed Job: pods get no JOB_COMPLETION_INDEX")
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism {
		t.Fatal("completions and parallelism must be equal: every replica starts at the same instant")
	}
	if s.BackoffLimit == nil || *s.BackoffLimit != 0 || s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Error("a retried pod would start after --start-at: want backoffLimit 0 and restartPolicy Never")
	}
	c := s.Template.Spec.Containers[0]
	if e := env(c, "REDIS_URL"); e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		t.Error("REDIS_URL should come from a Secret (it may hold a password)")
	}
	n := int(*s.Completions)
	for i := range n {
		args := expand(t, c, map[string]string{"JOB_COMPLETION_INDEX": string(rune('0' + i)), "REDIS_URL": "redis://staging:6379"})
		parses(t, args)
		joined := " " + strings.Join(args, " ")
		if !strings.HasPrefix(joined, " herd ") || !strings.Contains(joined, " --replica-index="+string(rune('0'+i))) ||
			!strings.Contains(joined, " --replicas="+string(rune('0'+n))) {
			t.Errorf("pod %d runs %q; want herd --replica-index=%d --replicas=%d", i, joined, i, n)
		}
		start := regexp.MustCompile(`--start-at=(\S+)`).FindStringSubmatch(joined)
		if start == nil {
			t.Fatal("no --start-at: the pods would not start together")
		}
		if _, err := time.Parse(time.RFC3339Nano, start[1]); err != nil {
			t.Errorf("--start-at: %v", err)
		}
	}
	if f := env(c, "JOB_COMPLETION_INDEX"); f == nil || f.ValueFrom == nil || f.ValueFrom.FieldRef == nil ||
		f.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Error("JOB_COMPLETION_INDEX should come from the pod's job-completion-index annotation")
	}
}

// The sidecar proxy sits in front of the service's Redis with its control
// API on a named port; that API listens beyond loopback, so rescli refuses
// it without a token: the token must come from a Secret.
func TestChaosSidecar(t *testing.T) {
	var d appsv1.Deployment
	decodeStrict(t, "chaos-sidecar.yaml", &d)
	pod := d.Spec.Template.Spec
	if len(pod.InitContainers) != 1 {
		t.Fatalf("%d init containers, want the proxy as a native sidecar", len(pod.InitContainers))
	}
	proxy := pod.InitContainers[0]
	if proxy.RestartPolicy == nil || *proxy.RestartPolicy != corev1.ContainerRestartPolicyAlways {
		t.Error("the proxy is an init container that does not keep running (restartPolicy: Always makes it a sidecar)")
	}
	args := expand(t, proxy, map[string]string{"REDIS_URL": "redis://redis:6379", "RESCLI_CHAOS_API_TOKEN": "t"})
	parses(t, args)
	joined := strings.Join(args, " ")
	if !strings.HasPrefix(joined, "chaos proxy ") {
		t.Fatalf("sidecar runs %q, want rescli chaos proxy", joined)
	}
	api := regexp.MustCompile(`--api=\S+:(\d+)`).FindStringSubmatch(joined)
	if api == nil || strings.Contains(joined, "127.0.0.1:"+api[1]) {
		t.Fatalf("sidecar args %q: want the API on a pod address", joined)
	}
	var named bool
	for _, p := range proxy.Ports {
		named = named || (p.Name == "chaos-api" && p.ContainerPort == 8474 && api[1] == "8474")
	}
	if !named {
		t.Error("no container port named chaos-api on the API's port")
	}
	tok := env(proxy, "RESCLI_CHAOS_API_TOKEN")
	if tok == nil || tok.ValueFrom == nil || tok.ValueFrom.SecretKeyRef == nil {
		t.Error("an API beyond loopback needs RESCLI_CHAOS_API_TOKEN from a Secret (or rescli refuses to start)")
	}
	if strings.Contains(joined, "--api-insecure") || strings.Contains(joined, "--api-token") || strings.Contains(joined, "--upstream=redis") {
		t.Errorf("sidecar args %q: no insecure API, no token or URL in the arguments (ps shows them)", joined)
	}
	if e := env(proxy, "REDIS_URL"); e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		t.Error("the proxy's upstream should come from REDIS_URL in a Secret")
	}
	for _, c := range pod.Containers {
		if e := env(c, "REDIS_ADDR"); e == nil || !strings.HasPrefix(joined, "chaos proxy --listen="+e.Value) {
			t.Errorf("container %s does not reach Redis through the proxy's --listen address", c.Name)
		}
	}
}
