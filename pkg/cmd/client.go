package cmd

import (
	"net/http"
	"sync/atomic"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/kubectl-job/kubectl-job/pkg/kube"
)

// Client-side rate limit of every command: client-go's default of 5 requests
// a second would throttle a paginated list of 10,000 pods (20 pages) for
// seconds. The server protects itself with API Priority and Fairness.
const (
	clientQPS   = 50
	clientBurst = 100
)

// clientFromFlags builds the clientset every command uses, from the standard
// kubeconfig flags. It speaks protobuf, which the API server encodes and the
// client decodes several times faster than JSON: on a list of thousands of
// pods that is most of the command's time. tune adjusts the config further
// (logs and prune lift the rate limit, completion bounds every call).
func clientFromFlags(configFlags *genericclioptions.ConfigFlags, tune ...func(*rest.Config)) (kube.Client, error) {
	cfg, err := configFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = clientQPS, clientBurst
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return throttleWatch{rt} })
	for _, t := range tune {
		t(cfg)
	}
	return kube.NewClient(cfg)
}

// throttled records that the API server answered 429 Too Many Requests (API
// Priority and Fairness). client-go waits and retries those without keeping
// them as errors, so when --request-timeout passes meanwhile the error says
// only "context deadline exceeded"; errorMessage then names the throttling.
var throttled atomic.Bool

// throttleWatch is the transport that sets throttled.
type throttleWatch struct{ next http.RoundTripper }

func (t throttleWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(r)
	if err == nil && res.StatusCode == http.StatusTooManyRequests {
		throttled.Store(true)
	}
	return res, err
}
